// Decanter's sticky partition assigner for KafkaJS, the one every listener prefers. KafkaJS 2.2
// rebalances eagerly: every join (a process started or stopped, a connection added, a member
// rejoining after its coordinator moved) revokes every partition of every member. This assigner
// keeps the damage small: each member sends the partitions it held in the last generation in its
// member metadata (userData), and the leader keeps them in place within balanced quotas (see
// sticky-assignment.ts), so a member joining moves about P/N partitions instead of reshuffling
// all of them, and a rejoin of the same members moves none. A partition kept through a rejoin
// keeps its marks (they are committed under the new generation), so what its running jobs
// finish is not processed again. Like the round-robin assigner it is subscription-aware: a topic
// goes only to the members subscribed to it. Members without it (an older Decanter) fall back to
// the subscription-aware round-robin assigner, which every Decanter member also offers.
import type { AssignerFactory, AssignmentMemory } from './connections-plan';
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { stickyAssignment, type StickyMember } from './sticky-assignment';

export const STICKY_ASSIGNER = 'DecanterStickyAssigner';
const USER_DATA_VERSION = 1;

/** A member's claim, as carried in its metadata's userData. */
export function encodeClaim(memory: AssignmentMemory): Buffer {
  const byTopic: Record<string, number[]> = {};
  for (const { topic, partition } of memory.current()) (byTopic[topic] ??= []).push(partition);
  return Buffer.from(JSON.stringify({ v: USER_DATA_VERSION, a: byTopic }));
}

/** The claim in a member's userData; empty for anything it cannot read (another assigner's data). Later versions must keep `a`: they may add fields, which are ignored. */
export function decodeClaim(userData: Buffer | null | undefined): Record<string, number[]> {
  if (userData === null || userData === undefined || userData.length === 0) return {};
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as { v?: unknown; a?: unknown };
    if (typeof parsed.v !== 'number' || parsed.v < USER_DATA_VERSION || typeof parsed.a !== 'object' || parsed.a === null) return {};
    const out: Record<string, number[]> = {};
    for (const [topic, ps] of Object.entries(parsed.a as Record<string, unknown>)) {
      if (Array.isArray(ps)) out[topic] = ps.filter((p): p is number => Number.isInteger(p) && p >= 0);
    }
    return out;
  } catch {
    return {};
  }
}

/** One connection's sticky assigner, reading that connection's assignment memory at each join. */
export const stickyAssigner: AssignerFactory =
  (memory: AssignmentMemory): PartitionAssigner =>
  ({ cluster }) => ({
    name: STICKY_ASSIGNER,
    version: 0,
    async assign({ members }) {
      const decoded: StickyMember[] = members.map((m) => {
        const metadata = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        return { memberId: m.memberId, topics: metadata?.topics ?? [], previous: decodeClaim(metadata?.userData) };
      });
      // the leader only has metadata for its own topics: load the others' too
      await cluster.addMultipleTargetTopics([...new Set(decoded.flatMap((m) => m.topics))]);
      const assignment = stickyAssignment(decoded, (topic) => cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId));
      return [...assignment].map(([memberId, topics]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: topics, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: STICKY_ASSIGNER, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: encodeClaim(memory) }) };
    },
  });
