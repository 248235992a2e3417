/** Nearest-rank percentiles (p in 0..100) of `xs`, rounded to 0.1; null when there are no samples. */
export function percentiles(xs: readonly number[], ps: readonly number[]): Record<string, number | null> {
  const sorted = Float64Array.from(xs).sort();
  const out: Record<string, number | null> = {};
  for (const p of ps) {
    const rank = Math.ceil((p / 100) * sorted.length);
    out[`p${p}`] = sorted.length === 0 ? null : Math.round((sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number) * 10) / 10;
  }
  return out;
}
