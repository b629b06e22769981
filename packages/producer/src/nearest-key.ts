// "Did you mean": the known key nearest to a misspelt one, for the unknown-key issues of both
// packages' contracts. Optimal-string-alignment distance (Damerau–Levenshtein where a
// transposition counts as one edit), case-insensitive, so `lingr.ms`, `linegr.ms` and
// `Linger.ms` all find `linger.ms`. Runs at construction only, over a few dozen keys.

/** Edits allowed for a key of this length: 1 up to 5 characters, 2 up to 11, then 3. */
function threshold(length: number): number {
  return length <= 5 ? 1 : length <= 11 ? 2 : 3;
}

function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // rows i-2, i-1 and i of the edit-distance matrix
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The candidate nearest to `key` within a few edits (more for longer keys), or undefined when
 * none is that near. On a tie the earlier candidate wins.
 */
export function nearestKey(key: string, candidates: Iterable<string>): string | undefined {
  const wanted = key.toLowerCase();
  const max = threshold(wanted.length);
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of candidates) {
    if (candidate === key) continue;
    const d = distance(wanted, candidate.toLowerCase(), Math.min(max, bestDistance - 1));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The rule of an unknown-key issue: `is not a known <what>; did you mean '<nearest>'?`, else the
 * `hint` for this key (a name that means something else here), else `is not a known <what>` and
 * `otherwise` (e.g. where the list is).
 */
export function unknownKeyRule(
  key: string,
  known: Iterable<string>,
  what: string,
  options: { hints?: Readonly<Record<string, string>>; otherwise?: string } = {},
): string {
  const hint = options.hints !== undefined && Object.hasOwn(options.hints, key) ? options.hints[key] : undefined;
  if (hint !== undefined) return `is not a known ${what}: ${hint}`;
  const near = nearestKey(key, known);
  if (near !== undefined) return `is not a known ${what}; did you mean '${near}'?`;
  return `is not a known ${what}${options.otherwise ?? ''}`;
}
