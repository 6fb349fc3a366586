/**
 * Refuses option objects with keys nobody reads: a misspelt limit (`idleMediaTimoutMs`) would
 * otherwise leave the default in force without a word. The error names the nearest known key.
 */
export function assertKnownOptions(
  options: object,
  known: ReadonlySet<string>,
  what: string,
): void {
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const nearest = nearestName(key, known);
    const hint = nearest === undefined ? '' : ` (did you mean ${nearest}?)`;
    throw new TypeError(`unknown ${what} option ${key}${hint}`);
  }
}

/** The known name closest to `name` by edit distance, if close enough to be a typo of it. */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A typo changes a few letters; past that the "nearest" name is a guess that misleads.
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
