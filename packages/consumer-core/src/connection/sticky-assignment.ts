// The sticky assignment, as a pure function of the members (their subscriptions and what each
// held in the last generation) and the topics' partitions. Per topic, among the members
// subscribed to it: every member gets ⌊P/M⌋ or ⌈P/M⌉ partitions (balanced, as round-robin), and
// within those quotas each member keeps what it held. Only the partitions a quota forces out, or
// that nobody held (new partitions, a member that left), move. Ties go to the member with the
// fewest partitions over all topics, then the lowest member id, so the result is deterministic.

export interface StickyMember {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** Partitions this member held in the last generation, by topic (its claim). */
  readonly previous: Readonly<Record<string, readonly number[]>>;
}

/** Member id → topic → partitions (ascending). */
export type Assignment = Map<string, Record<string, number[]>>;

export function stickyAssignment(members: readonly StickyMember[], partitionsOf: (topic: string) => readonly number[]): Assignment {
  const assignment: Assignment = new Map(members.map((m) => [m.memberId, {}]));
  const total = new Map(members.map((m) => [m.memberId, 0]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const subscribers = members.filter((m) => m.topics.includes(topic)).sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const partitions = [...new Set(partitionsOf(topic))].sort((a, b) => a - b);
    if (subscribers.length === 0 || partitions.length === 0) continue;
    const base = Math.floor(partitions.length / subscribers.length);
    let extras = partitions.length % subscribers.length; // members that may hold base + 1
    const exists = new Set(partitions);
    const owner = new Map<number, string>();
    const held = new Map<string, number[]>(subscribers.map((m) => [m.memberId, []]));
    // claims of partitions that still exist; a partition two members claim (one of them was
    // dropped from the group and came back) stays with the member that claims fewer
    const claims = subscribers.map((m) => ({ id: m.memberId, claimed: [...new Set(m.previous[topic] ?? [])].filter((p) => exists.has(p)).sort((a, b) => a - b) }));
    const claimants = new Map<number, string[]>();
    for (const c of claims) for (const p of c.claimed) claimants.set(p, [...(claimants.get(p) ?? []), c.id]);
    const claimCount = new Map(claims.map((c) => [c.id, c.claimed.length]));
    const keepable = (id: string, p: number): boolean => {
      const all = claimants.get(p)!;
      if (all.length === 1) return true;
      const winner = [...all].sort((a, b) => claimCount.get(a)! - claimCount.get(b)! || (a < b ? -1 : a > b ? 1 : 0))[0];
      return winner === id;
    };
    const give = (id: string, p: number): void => {
      owner.set(p, id);
      held.get(id)!.push(p);
      total.set(id, total.get(id)! + 1);
    };
    // 1. every member keeps up to `base` of its claims
    for (const c of claims) {
      for (const p of c.claimed) {
        if (held.get(c.id)!.length >= base) break;
        if (!owner.has(p) && keepable(c.id, p)) give(c.id, p);
      }
    }
    // 2. the extra slots go to members with claims left, most claims left first
    const leftOf = (id: string): number[] => claims.find((c) => c.id === id)!.claimed.filter((p) => !owner.has(p) && keepable(id, p));
    const wanting = claims.map((c) => c.id).filter((id) => leftOf(id).length > 0).sort((a, b) => leftOf(b).length - leftOf(a).length || (a < b ? -1 : 1));
    for (const id of wanting) {
      if (extras === 0) break;
      const p = leftOf(id)[0];
      if (p === undefined) continue;
      give(id, p);
      extras--;
    }
    // 3. the rest (unclaimed, or forced out by a quota) to the members below their quota
    for (const p of partitions) {
      if (owner.has(p)) continue;
      const candidates = subscribers
        .map((m) => m.memberId)
        .filter((id) => held.get(id)!.length < base || (held.get(id)!.length === base && extras > 0));
      candidates.sort((a, b) => held.get(a)!.length - held.get(b)!.length || total.get(a)! - total.get(b)! || (a < b ? -1 : 1));
      const id = candidates[0]!;
      if (held.get(id)!.length === base) extras--;
      give(id, p);
    }
    for (const [id, ps] of held) if (ps.length > 0) assignment.get(id)![topic] = ps.sort((a, b) => a - b);
  }
  return assignment;
}

/** How many partitions changed owner between two assignments (a partition new in `after` counts as moved). */
export function movedPartitions(before: Assignment, after: Assignment): number {
  const ownerBefore = new Map<string, string>();
  for (const [id, topics] of before) for (const [t, ps] of Object.entries(topics)) for (const p of ps) ownerBefore.set(`${t}:${p}`, id);
  let moved = 0;
  for (const [id, topics] of after) for (const [t, ps] of Object.entries(topics)) for (const p of ps) if (ownerBefore.get(`${t}:${p}`) !== id) moved++;
  return moved;
}
