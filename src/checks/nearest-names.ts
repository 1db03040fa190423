/** Levenshtein distance: the "did you mean" of missing tags and unknown project names. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The candidates closest to the one asked for, nearest first (ties by name); `maxDistance` drops the far ones. */
export function nearestNames(wanted: string, candidates: readonly string[], count = 3, maxDistance = Number.POSITIVE_INFINITY): string[] {
  return [...new Set(candidates)]
    .map((name) => ({ name, d: editDistance(wanted, name) }))
    .filter((x) => x.d <= maxDistance)
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, count)
    .map((x) => x.name);
}
