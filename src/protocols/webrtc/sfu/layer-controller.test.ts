import { describe, expect, it } from 'vitest';
import { LayerController, type LayerChangeReason, type LayerControllerOptions, type SimulcastLayer } from './layer-controller.js';

const layers = (): SimulcastLayer[] => [
  { index: 0, bitrateBps: 150_000, height: 180, active: true },
  { index: 1, bitrateBps: 500_000, height: 360, active: true },
  { index: 2, bitrateBps: 1_500_000, height: 720, active: true },
];

function setup(options: LayerControllerOptions = {}, list = layers()) {
  const changes: { target: number; reason: LayerChangeReason; previous: number }[] = [];
  const c = new LayerController({ ...options, onChange: (target, reason, previous) => changes.push({ target, reason, previous }) });
  c.setLayers(list, 0);
  /** Feedback every `stepMs` from `from` (exclusive) to `to` (inclusive). */
  const feed = (from: number, to: number, stepMs: number, lossFraction: number, estimateBps?: number): void => {
    for (let t = from + stepMs; t <= to; t += stepMs) c.update({ nowMs: t, lossFraction, ...(estimateBps !== undefined ? { estimateBps } : {}) });
  };
  return { c, changes, list, feed };
}

describe('layer choice at the start', () => {
  it('starts at the highest layer fitting the start budget', () => {
    const { c, changes } = setup();
    expect(c.target).toBe(1);
    expect(changes).toEqual([{ target: 1, reason: 'start', previous: -1 }]);
  });

  it('starts at the lowest layer while bitrates are unknown', () => {
    const list = layers().map((l) => ({ ...l, bitrateBps: 0 }));
    const { c } = setup({}, list);
    expect(c.target).toBe(0);
  });
});

describe('going down', () => {
  it('goes down once loss stays above 10 % for about a second of feedback', () => {
    const { c, changes, feed } = setup({ startBitrateBps: 3_000_000 });
    expect(c.target).toBe(2);
    feed(0, 700, 100, 0.15);
    expect(c.target).toBe(2);
    feed(700, 800, 100, 0.15);
    expect(c.target).toBe(1);
    expect(changes.at(-1)).toEqual({ target: 1, reason: 'loss', previous: 2 });
  });

  it('a loss spike shorter than the window does not go down', () => {
    const { c, feed } = setup({ startBitrateBps: 3_000_000 });
    feed(0, 200, 100, 0.3);
    feed(200, 3000, 100, 0);
    expect(c.target).toBe(2);
  });

  it('one receiver report covering a second of heavy loss is enough', () => {
    const { c } = setup({ startBitrateBps: 3_000_000 });
    c.update({ nowMs: 1000, lossFraction: 0.25 });
    expect(c.target).toBe(1);
  });

  it('picks the highest layer fitting 85 % of the delivered rate, skipping layers', () => {
    const { c } = setup({ startBitrateBps: 3_000_000 });
    c.update({ nowMs: 1000, lossFraction: 0.5, deliveredBps: 300_000 });
    expect(c.target).toBe(0);
  });

  it('goes down at once when the estimate falls below the current bitrate', () => {
    const { c, changes } = setup({ startBitrateBps: 3_000_000 });
    c.update({ nowMs: 100, lossFraction: 0, estimateBps: 800_000 });
    expect(c.target).toBe(1);
    expect(changes.at(-1)?.reason).toBe('estimate');
    c.update({ nowMs: 200, lossFraction: 0, estimateBps: 100_000 });
    expect(c.target).toBe(0);
    c.update({ nowMs: 300, lossFraction: 0, estimateBps: 50_000 });
    expect(c.target).toBe(0);
  });
});

describe('going up', () => {
  it('goes up one layer after the quiet hold', () => {
    const { c, changes, feed } = setup();
    feed(0, 3900, 100, 0);
    expect(c.target).toBe(1);
    feed(3900, 4000, 100, 0);
    expect(c.target).toBe(2);
    expect(changes.at(-1)).toEqual({ target: 2, reason: 'probe', previous: 1 });
  });

  it('loss above 2 % restarts the hold', () => {
    const { c, feed } = setup();
    feed(0, 2000, 500, 0);
    c.update({ nowMs: 2500, lossFraction: 0.03 });
    feed(2500, 6000, 500, 0);
    expect(c.target).toBe(1);
    feed(6000, 6500, 500, 0);
    expect(c.target).toBe(2);
  });

  it('does not go up without headroom in the estimate', () => {
    const { c, feed } = setup();
    feed(0, 10_000, 500, 0, 1_200_000);
    expect(c.target).toBe(1);
    feed(10_000, 10_500, 500, 0, 2_000_000);
    expect(c.target).toBe(2);
  });

  it('a failed probe goes back down and doubles the hold, up to the ceiling', () => {
    const { c, changes, feed } = setup({ maxUpHoldMs: 20_000 });
    feed(0, 4000, 500, 0);
    expect(c.target).toBe(2);
    c.update({ nowMs: 5000, lossFraction: 0.05 });
    expect(c.target).toBe(1);
    expect(changes.at(-1)).toEqual({ target: 1, reason: 'probe-failed', previous: 2 });
    expect(c.upHoldMs).toBe(8000);
    feed(5000, 12_500, 500, 0);
    expect(c.target).toBe(1);
    feed(12_500, 13_000, 500, 0);
    expect(c.target).toBe(2);
    c.update({ nowMs: 13_500, lossFraction: 0.1 });
    expect(c.upHoldMs).toBe(16_000);
    feed(13_500, 29_500, 500, 0);
    c.update({ nowMs: 30_000, lossFraction: 0.1 });
    expect(c.upHoldMs).toBe(20_000);
    expect(changes.filter((x) => x.reason === 'probe-failed').length).toBe(3);
  });

  it('loss after the probe window is not a failed probe', () => {
    const { c, feed } = setup();
    feed(0, 4000, 500, 0);
    feed(4000, 6500, 500, 0);
    c.update({ nowMs: 7000, lossFraction: 0.05 });
    expect(c.target).toBe(2);
    expect(c.upHoldMs).toBe(4000);
  });

  it('the hold returns to its base after a long stable period', () => {
    const { c, feed } = setup({ stableResetMs: 30_000 });
    feed(0, 4000, 500, 0);
    c.update({ nowMs: 4500, lossFraction: 0.05 });
    expect(c.upHoldMs).toBe(8000);
    feed(4500, 34_000, 500, 0);
    expect(c.upHoldMs).toBe(8000);
    feed(34_000, 34_500, 500, 0);
    expect(c.upHoldMs).toBe(4000);
  });
});

describe('hard limits', () => {
  it('never chooses an inactive layer: leaves one that stops, never probes into one', () => {
    const { c, list, changes, feed } = setup({ startBitrateBps: 3_000_000 });
    list[2]!.active = false;
    c.setLayers(list, 100);
    expect(c.target).toBe(1);
    expect(changes.at(-1)?.reason).toBe('inactive');
    feed(100, 20_000, 500, 0);
    expect(c.target).toBe(1);
    list[1]!.active = false;
    list[0]!.active = false;
    list[2]!.active = true;
    c.setLayers(list, 20_100);
    expect(c.target).toBe(2);
    list[2]!.active = false;
    c.setLayers(list, 20_200);
    expect(c.target).toBe(-1);
  });

  it('probing skips an inactive middle layer', () => {
    const list = layers();
    list[1]!.active = false;
    const { c, feed } = setup({ startBitrateBps: 200_000 }, list);
    expect(c.target).toBe(0);
    feed(0, 4000, 500, 0);
    expect(c.target).toBe(2);
  });

  it('never exceeds the requested height, and follows a lowered cap at once', () => {
    const { c, changes, feed } = setup();
    c.setRequestedMaxHeight(360, 0);
    feed(0, 30_000, 500, 0, 10_000_000);
    expect(c.target).toBe(1);
    c.setRequestedMaxHeight(200, 30_000);
    expect(c.target).toBe(0);
    expect(changes.at(-1)?.reason).toBe('constraint');
    c.setRequestedMaxHeight(undefined, 30_100);
    feed(30_100, 34_100, 500, 0);
    expect(c.target).toBe(1);
  });

  it('a layer of unknown height is not counted as above the cap', () => {
    const list = layers().map((l) => ({ ...l, height: undefined }));
    const { c } = setup({ startBitrateBps: 3_000_000 }, list);
    c.setRequestedMaxHeight(100, 0);
    expect(c.target).toBe(2);
  });

  it('pauses with no layer, also for a requested height of 0, and chooses afresh on resume', () => {
    const { c, changes } = setup();
    c.setPaused(true, 100);
    expect(c.target).toBe(-1);
    expect(changes.at(-1)).toEqual({ target: -1, reason: 'paused', previous: 1 });
    c.update({ nowMs: 200, lossFraction: 0 });
    expect(c.target).toBe(-1);
    c.setPaused(false, 300);
    expect(c.target).toBe(1);
    c.setRequestedMaxHeight(0, 400);
    expect(c.target).toBe(-1);
  });

  it('update with layers and a cap replaces both in one step', () => {
    const c = new LayerController();
    const list = layers();
    expect(c.update({ nowMs: 0, lossFraction: 0 }, list, 720)).toBe(1);
    expect(c.update({ nowMs: 100, lossFraction: 0 }, list, 180)).toBe(0);
    expect(c.update({ nowMs: 200, lossFraction: 0 }, list, undefined)).toBe(0);
  });
});
