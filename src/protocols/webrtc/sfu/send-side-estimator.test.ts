import { describe, expect, it } from 'vitest';
import { SendSideEstimator } from './send-side-estimator.js';

/**
 * A simulated path: packets of `size` bytes sent at `sendBps` through a bottleneck of `linkBps`
 * with a FIFO queue (a router's), feedback every 50 ms. Returns the estimate after each second.
 */
function run(estimator: SendSideEstimator, opts: { seconds: number; sendBps: (t: number) => number; linkBps: number; startMs?: number; bursts?: number[] }): { atMs: number; estimate: number | undefined; delivered: number | undefined }[] {
  const size = 1200;
  const out: { atMs: number; estimate: number | undefined; delivered: number | undefined }[] = [];
  let t = opts.startMs ?? 0;
  const end = t + opts.seconds * 1000;
  let linkFreeAt = t;
  const pending: { seq: number; arrivalUs: number }[] = [];
  let nextFeedback = t + 50;
  let nextReport = t + 1000;
  let credit = 0;
  const clockOffsetUs = 123_456_789; // the receiver's clock is not ours
  while (t < end) {
    t += 1;
    credit += (opts.sendBps(t) / 8 / 1000) * 1;
    // a keyframe: 40 packets at once on top of the paced rate
    let extra = opts.bursts?.includes(t) === true ? 40 : 0;
    while (extra > 0 || credit >= size) {
      if (extra > 0) extra--;
      else credit -= size;
      const seq = estimator.stamp(size, t);
      linkFreeAt = Math.max(t, linkFreeAt) + ((size * 8) / opts.linkBps) * 1000;
      pending.push({ seq, arrivalUs: Math.round((linkFreeAt + 5) * 1000) + clockOffsetUs });
    }
    if (t >= nextFeedback) {
      nextFeedback += 50;
      const arrived = pending.filter((p) => p.arrivalUs - clockOffsetUs <= t * 1000);
      if (arrived.length > 0) {
        pending.splice(0, arrived.length);
        const base = arrived[0]?.seq ?? 0;
        estimator.onFeedback({ baseSequence: base, feedbackCount: 0, arrivalsUs: arrived.map((p) => p.arrivalUs) }, t + 5);
      }
    }
    if (t >= nextReport) {
      nextReport += 1000;
      out.push({ atMs: t, estimate: estimator.estimateBps(t), delivered: estimator.deliveredBps });
    }
  }
  return out;
}

describe('SendSideEstimator', () => {
  it('limits nothing while the path carries everything', () => {
    const e = new SendSideEstimator();
    const seconds = run(e, { seconds: 10, sendBps: () => 800_000, linkBps: 5_000_000 });
    expect(seconds.every((s) => s.estimate === undefined)).toBe(true);
    expect(e.overuses).toBe(0);
    expect(seconds.at(-1)?.delivered).toBeGreaterThan(700_000);
    expect(seconds.at(-1)?.delivered).toBeLessThan(900_000);
  });

  it('drops below the bottleneck when we send more than it carries, from the growing queue, before any loss', () => {
    const e = new SendSideEstimator();
    const seconds = run(e, { seconds: 3, sendBps: () => 1_200_000, linkBps: 600_000 });
    const estimate = seconds.at(-1)?.estimate;
    expect(estimate).toBeDefined();
    expect(estimate).toBeLessThan(600_000);
    expect(estimate).toBeGreaterThan(400_000);
    expect(e.queuingDelayMs).toBeGreaterThan(25);
  });

  it('stops limiting a while after the queue drains, so the sender may probe again', () => {
    const e = new SendSideEstimator({ releaseMs: 3000 });
    const seconds = run(e, { seconds: 10, sendBps: (t) => (t < 2000 ? 1_200_000 : 300_000), linkBps: 600_000 });
    expect(seconds.find((s) => s.atMs === 3000)?.estimate).toBeDefined();
    expect(seconds.at(-1)?.estimate).toBeUndefined();
  });

  it('takes a keyframe burst that drains at once for what it is, not congestion', () => {
    const e = new SendSideEstimator();
    run(e, { seconds: 8, sendBps: () => 500_000, linkBps: 4_000_000, bursts: [1000, 3000, 5000, 7000] });
    expect(e.overuses).toBe(0);
  });

  it('counts the packets the receiver reports lost, once each', () => {
    const e = new SendSideEstimator();
    const seqs = Array.from({ length: 20 }, (_, i) => e.stamp(1000, i));
    const arrivalsUs = seqs.map((_, i) => (i % 4 === 0 ? -1 : 100_000 + i * 1000));
    e.onFeedback({ baseSequence: seqs[0] ?? 0, feedbackCount: 1, arrivalsUs }, 50);
    e.onFeedback({ baseSequence: seqs[0] ?? 0, feedbackCount: 1, arrivalsUs }, 51);
    expect(e.takeLossFraction()).toBeCloseTo(0.25);
    expect(e.takeLossFraction()).toBeUndefined();
  });
});
