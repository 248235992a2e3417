import { describe, expect, it } from 'vitest';
import { KeyframeRequestLimiter, type LimiterClock } from './keyframe-requests.js';

/** A clock moved by hand; timers fire when `advance` passes their time. */
class ManualClock implements LimiterClock {
  private t = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

function setup(intervalMs?: number) {
  const clock = new ManualClock();
  const sent: { key: string; at: number }[] = [];
  const limiter = new KeyframeRequestLimiter<string>({ send: (key) => sent.push({ key, at: clock.now() }), clock, ...(intervalMs !== undefined ? { intervalMs } : {}) });
  return { clock, sent, limiter };
}

describe('keyframe request limiting', () => {
  it('many subscribers asking at once cost one request', () => {
    const { sent, limiter } = setup();
    for (let i = 0; i < 200; i++) limiter.request('cam/h');
    expect(sent).toEqual([{ key: 'cam/h', at: 0 }]);
  });

  it('asking again inside the interval sends one trailing request when it ends', () => {
    const { clock, sent, limiter } = setup();
    limiter.request('cam/f');
    clock.advance(100);
    limiter.request('cam/f');
    limiter.request('cam/f');
    clock.advance(100);
    limiter.request('cam/f');
    expect(sent.length).toBe(1);
    clock.advance(100);
    expect(sent).toEqual([
      { key: 'cam/f', at: 0 },
      { key: 'cam/f', at: 300 },
    ]);
    clock.advance(1000);
    expect(sent.length).toBe(2);
  });

  it('a request after the interval goes out at once', () => {
    const { clock, sent, limiter } = setup(500);
    limiter.request('a');
    clock.advance(500);
    limiter.request('a');
    expect(sent.map((s) => s.at)).toEqual([0, 500]);
  });

  it('keys are limited independently', () => {
    const { sent, limiter } = setup();
    limiter.request('a');
    limiter.request('b');
    limiter.request('a');
    expect(sent.map((s) => s.key)).toEqual(['a', 'b']);
  });

  it('forget and close cancel trailing requests', () => {
    const { clock, sent, limiter } = setup();
    limiter.request('a');
    limiter.request('b');
    clock.advance(10);
    limiter.request('a');
    limiter.request('b');
    limiter.forget('a');
    clock.advance(300);
    expect(sent.map((s) => s.key)).toEqual(['a', 'b', 'b']);
    limiter.request('b');
    limiter.close();
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    limiter.request('c');
    expect(sent.length).toBe(3);
  });

  it('takes a bare send function and an explicit time', () => {
    const sent: number[] = [];
    const limiter = new KeyframeRequestLimiter<number>((layer) => sent.push(layer));
    limiter.request(2, 1000);
    limiter.request(2, 1100);
    limiter.close();
    limiter.request(2, 5000);
    expect(sent).toEqual([2]);
  });
});
