/** Percentiles of a sample of latencies, as the hls-latency result reports them. */
export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (each one a measured value), rounded to `digits` decimals. */
export function distribution(xs: readonly number[], digits = 1): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const f = 10 ** digits;
  const r = (x: number): number => Math.round(x * f) / f;
  const at = (p: number): number => r(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN);
  const mean = s.length > 0 ? s.reduce((a, b) => a + b, 0) / s.length : Number.NaN;
  return { n: s.length, p50: at(50), p95: at(95), p99: at(99), max: r(s[s.length - 1] ?? Number.NaN), mean: r(mean) };
}
