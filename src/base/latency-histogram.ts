/** Upper bounds (ms) of the buckets: fine below 20 ms, where the goals sit, coarse above. */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000];

/** Cumulative counts per bucket, the last one for everything over the largest bound. */
export interface LatencySnapshot {
  bucketsMs: readonly number[];
  counts: number[];
  count: number;
  maxMs: number;
}

/**
 * Counts durations into fixed buckets: recording allocates nothing (it sits on per-frame paths),
 * and two snapshots subtract into the distribution of the time between them.
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  private total = 0;
  private max = 0;

  record(ms: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > (LATENCY_BUCKETS_MS[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.total++;
    if (ms > this.max) this.max = ms;
  }

  snapshot(): LatencySnapshot {
    return { bucketsMs: LATENCY_BUCKETS_MS, counts: Array.from(this.counts), count: this.total, maxMs: this.max };
  }
}

/**
 * The `q` quantile (0..1) of the durations recorded between snapshots `from` and `to` (or of `to`
 * alone), as the upper bound of its bucket (Infinity past the largest); undefined when none.
 */
export function latencyQuantile(to: LatencySnapshot, q: number, from?: LatencySnapshot): number | undefined {
  const counts = to.counts.map((c, i) => c - (from?.counts[i] ?? 0));
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return undefined;
  const rank = Math.ceil(q * n);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number;
    if (seen >= rank) return to.bucketsMs[i] ?? Infinity;
  }
  return Infinity;
}
