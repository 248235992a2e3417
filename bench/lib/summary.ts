/** The median of `xs` (the lower middle for an even count, so it is a measured value). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

/**
 * Groups repeated rows by `keys` and keeps, for each numeric `fields`, the median over the
 * repeats: one run of a loopback benchmark varies by ±10 %, the median of three much less.
 */
export function medians<R extends Record<string, unknown>>(rows: readonly R[], keys: readonly (keyof R)[], fields: readonly (keyof R)[]): Record<string, unknown>[] {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const k = JSON.stringify(keys.map((key) => r[key]));
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0] as R;
    const out: Record<string, unknown> = Object.fromEntries(keys.map((key) => [key, first[key]]));
    out['runs'] = g.length;
    for (const f of fields) out[f as string] = median(g.map((r) => Number(r[f])));
    return out;
  });
}
