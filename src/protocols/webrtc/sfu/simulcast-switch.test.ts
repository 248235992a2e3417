import { describe, expect, it } from 'vitest';
import { SimulcastSwitch } from './simulcast-switch.js';

/** Three layers with their own sequence and timestamp spaces, sending frames every 33 ms. */
class FakePublisher {
  readonly seq = [1000, 20000, 40000];
  readonly ts = [5, 500000, 900000000];

  packet(layer: number): { seq: number; ts: number } {
    this.seq[layer] = (this.seq[layer]! + 1) & 0xffff;
    this.ts[layer] = (this.ts[layer]! + 3000) >>> 0;
    return { seq: this.seq[layer]!, ts: this.ts[layer]! };
  }
}

function setup(options: { keyframeRequestIntervalMs?: number; layerTimeoutMs?: number } = {}) {
  const requests: { layer: number; now: number }[] = [];
  const switches: number[] = [];
  let now = 0;
  const sw = new SimulcastSwitch({
    clockRate: 90000,
    initialSequence: 0,
    requestKeyframe: (layer) => requests.push({ layer, now }),
    onSwitch: (layer) => switches.push(layer),
    ...options,
  });
  const pub = new FakePublisher();
  const sent: { layer: number; seq: number; ts: number }[] = [];
  /** One packet of `layer` at time `at`; returns whether it was forwarded. */
  const send = (layer: number, at: number, key = false): boolean => {
    now = at;
    const p = pub.packet(layer);
    const ok = sw.forward(layer, p.seq, p.ts, key, at);
    if (ok) sent.push({ layer, seq: sw.seq, ts: sw.timestamp });
    return ok;
  };
  /** Every layer in `layers` sends one packet at each 33 ms tick from `from` to `to`. */
  const stream = (layers: number[], from: number, to: number): void => {
    for (let t = from; t < to; t += 33) for (const l of layers) send(l, t);
  };
  /** Sets the target at time `at`. */
  const target = (layer: number, at: number): void => {
    now = at;
    sw.setTarget(layer, at);
  };
  return { sw, requests, switches, sent, send, stream, target };
}

describe('keyframe-gated simulcast switching', () => {
  it('starts only at a keyframe of the target layer, asking the publisher for one', () => {
    const { sw, requests, switches, send } = setup();
    sw.setTarget(1, 0);
    expect(requests).toEqual([{ layer: 1, now: 0 }]);
    expect(send(1, 10)).toBe(false);
    expect(send(1, 43)).toBe(false);
    expect(send(1, 76, true)).toBe(true);
    expect(sw.current).toBe(1);
    expect(switches).toEqual([1]);
    expect(send(1, 109)).toBe(true);
  });

  it('keeps forwarding the current layer until the target sends a keyframe, then drops the old one', () => {
    const { sw, send, sent, stream, switches } = setup();
    sw.setTarget(0, 0);
    send(0, 0, true);
    stream([0, 2], 33, 300);
    sw.setTarget(2, 300);
    stream([0, 2], 300, 500);
    expect(sw.current).toBe(0);
    expect(sent.every((p) => p.layer === 0)).toBe(true);
    expect(send(2, 510, true)).toBe(true);
    expect(send(0, 511)).toBe(false);
    expect(send(2, 540)).toBe(true);
    expect(switches).toEqual([0, 2]);
    // one continuous output stream across the switch
    sent.forEach((p, i) => expect(p.seq).toBe(i));
    const at = sent.findIndex((p) => p.layer === 2);
    // the last layer-0 packet went out at 498 ms
    expect(sent[at]!.ts - sent[at - 1]!.ts).toBe((510 - 498) * 90);
  });

  it('asks for the target keyframe at most once per layer per interval while waiting', () => {
    const { sw, requests, stream, send } = setup();
    sw.setTarget(0, 0);
    send(0, 0, true);
    sw.setTarget(2, 1);
    stream([0, 2], 1, 2001);
    const forLayer2 = requests.filter((r) => r.layer === 2);
    expect(forLayer2.length).toBe(4);
    for (let i = 1; i < forLayer2.length; i++) expect(forLayer2[i]!.now - forLayer2[i - 1]!.now).toBeGreaterThanOrEqual(500);
    // only the first request, from setTarget(0): layer 0 was reached at once
    expect(requests.filter((r) => r.layer === 0)).toEqual([{ layer: 0, now: 0 }]);
  });

  it('uses the configured request interval', () => {
    const { requests, stream, send, target } = setup({ keyframeRequestIntervalMs: 100 });
    target(0, 0);
    send(0, 0, true);
    target(2, 1);
    stream([0, 2], 1, 1001);
    // at 1 ms, then on the first 33 ms tick at least 100 ms after the previous request
    expect(requests.filter((r) => r.layer === 2).map((r) => r.now)).toEqual([1, 133, 265, 397, 529, 661, 793, 925]);
  });

  it('stops asking once the target is reached', () => {
    const { sw, requests, stream, send } = setup();
    sw.setTarget(1, 0);
    send(1, 1, true);
    const before = requests.length;
    stream([0, 1, 2], 2, 3000);
    expect(requests.length).toBe(before);
  });

  it('does not freeze when the current layer stops: moves to the best layer still flowing at its keyframe', () => {
    const { sw, requests, stream, send, switches } = setup();
    sw.setTarget(2, 0);
    stream([0, 1, 2], 0, 100);
    send(2, 100, true);
    stream([0, 1, 2], 133, 1000);
    // layer 2 stops (the encoder dropped it); the controller still asks for 2
    const stopAt = 1000;
    stream([0, 1], stopAt, stopAt + 900);
    expect(sw.current).toBe(2);
    const before = requests.length;
    stream([0, 1], stopAt + 900, stopAt + 1300);
    expect(requests.slice(before).map((r) => r.layer)).toContain(1);
    expect(send(0, stopAt + 1310, true)).toBe(false);
    expect(send(1, stopAt + 1320, true)).toBe(true);
    expect(sw.current).toBe(1);
    expect(sw.target).toBe(2);
    // layer 2 comes back: at its keyframe we return to it
    expect(send(2, stopAt + 2000)).toBe(false);
    expect(send(2, stopAt + 2033, true)).toBe(true);
    expect(switches).toEqual([2, 1, 2]);
  });

  it('waits for the target while the current layer still flows within the timeout', () => {
    const { sw, send } = setup({ layerTimeoutMs: 1000 });
    sw.setTarget(1, 0);
    send(1, 0, true);
    expect(send(0, 500, true)).toBe(false);
    expect(sw.current).toBe(1);
  });

  it('pauses at once and resumes at a keyframe with the output sequence continuing', () => {
    const { sw, send, sent } = setup();
    sw.setTarget(0, 0);
    send(0, 0, true);
    send(0, 33);
    sw.setTarget(-1, 50);
    expect(send(0, 66)).toBe(false);
    expect(send(0, 99, true)).toBe(false);
    sw.setTarget(0, 2000);
    expect(send(0, 2010)).toBe(false);
    expect(send(0, 2043, true)).toBe(true);
    expect(sent.map((p) => p.seq)).toEqual([0, 1, 2]);
    expect(sent[2]!.ts - sent[1]!.ts).toBe((2043 - 33) * 90);
  });

  it('ignores negative layer numbers', () => {
    const { sw, send } = setup();
    sw.setTarget(0, 0);
    expect(sw.forward(-1, 1, 1, true, 0)).toBe(false);
    expect(send(0, 1, true)).toBe(true);
  });
});
