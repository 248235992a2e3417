import { describe, expect, it } from 'vitest';
import type { HubFrame, MediaFrame } from '../media/index.js';
import { IllegalTransitionError, StreamAlreadyPublishingError } from './errors.js';
import { Stream } from './stream.js';
import { StreamRegistry } from './stream-registry.js';
import type { ByteSink, FrameFormat, SubscriberEndReason } from './subscriber.js';

const OPTIONS = {
  gopCache: { maxFrames: 100, maxBytes: 1_000_000 },
  backpressure: { softLimitBytes: 1000, hardLimitBytes: 5000, maxSkipMs: 60_000 },
};

let nextDts = 0;
function video(keyframe: boolean, size = 10): MediaFrame {
  const dts = (nextDts += 33);
  return { kind: 'video', codec: 'h264', dts, pts: dts, keyframe, config: false, data: Buffer.alloc(size, keyframe ? 1 : 2) };
}
function audio(): MediaFrame {
  return { kind: 'audio', codec: 'aac', dts: nextDts, pts: nextDts, keyframe: false, config: false, data: Buffer.alloc(5, 3) };
}
function videoConfig(): MediaFrame {
  // A real avcC for 1280x720 High@3.1 is not needed here: the hub copes with one it cannot parse.
  return { kind: 'video', codec: 'h264', dts: 0, pts: 0, keyframe: false, config: true, data: Buffer.from([1, 0x64, 0, 0x1f]) };
}

/** Encodes a frame as a one-byte tag so tests can read what a viewer got: K key, P inter, A audio, C config. */
const letters: FrameFormat = {
  name: 'letters',
  encode(f: HubFrame) {
    if (f.kind === 'metadata') return Buffer.from('M');
    if (f.config) return Buffer.from('C');
    return Buffer.from(f.kind === 'audio' ? 'A' : f.keyframe ? 'K' : 'P');
  },
};

class FakeSink implements ByteSink {
  received = '';
  writes = 0;
  bufferedBytes = 0;
  closedWith: SubscriberEndReason | undefined;
  write(chunk: Buffer): void {
    this.received += chunk.toString();
    this.writes++;
  }
  close(reason: SubscriberEndReason): void {
    this.closedWith = reason;
  }
}

const flush = (s: Stream): void => s.flush();

describe('Stream state machine', () => {
  it('follows IDLE → STARTING → LIVE ⇄ PAUSED → STOPPING → ENDED', () => {
    const reg = new StreamRegistry(OPTIONS);
    const s = reg.claim('a', { protocol: 'rtmp' });
    const seen: string[] = [];
    s.on('state', (from, to) => seen.push(`${from}>${to}`));
    expect(s.state).toBe('STARTING');
    s.push(video(true));
    s.pause();
    s.resume();
    s.end();
    expect(seen).toEqual(['STARTING>LIVE', 'LIVE>PAUSED', 'PAUSED>LIVE', 'LIVE>STOPPING', 'STOPPING>ENDED']);
  });

  it('refuses illegal transitions and leaves the state unchanged', () => {
    const s = new Stream('b', { protocol: 'rtmp' }, OPTIONS);
    expect(() => s.transition('LIVE')).toThrow(IllegalTransitionError);
    expect(s.state).toBe('IDLE');
    s.transition('STARTING');
    s.end();
    expect(() => s.transition('LIVE')).toThrow(/cannot go from ENDED to LIVE/);
    expect(() => s.pause()).toThrow(IllegalTransitionError);
  });

  it('goes to FAILED from any live state and closes viewers with the reason', () => {
    const reg = new StreamRegistry(OPTIONS);
    const failed: string[] = [];
    reg.on('streamFailed', (s, e) => failed.push(`${s.id}:${e.message}`));
    const s = reg.claim('c', { protocol: 'rtmp' });
    s.push(video(true));
    const sink = new FakeSink();
    s.subscribe({ id: 'v', protocol: 'flv', format: letters, sink });
    s.fail(new Error('decoder exploded'));
    expect(s.state).toBe('FAILED');
    expect(sink.closedWith).toBe('stream-failed');
    expect(failed).toEqual(['c:decoder exploded']);
    expect(reg.get('c')).toBeUndefined();
  });

  it('refuses a second claim on a live id, and frees the id when the stream ends', () => {
    const reg = new StreamRegistry(OPTIONS);
    const s = reg.claim('d', { protocol: 'rtmp' });
    expect(() => reg.claim('d', { protocol: 'rtmp' })).toThrow(StreamAlreadyPublishingError);
    s.end();
    expect(reg.claim('d', { protocol: 'rtmp' }).state).toBe('STARTING');
  });
});

describe('GOP cache and fan-out', () => {
  function liveStream(): Stream {
    const s = new Stream('s', { protocol: 'rtmp' }, OPTIONS);
    s.transition('STARTING');
    return s;
  }

  it('starts a late viewer on the sequence headers and the last keyframe', () => {
    const s = liveStream();
    s.push({ kind: 'metadata', dts: 0, amf0: Buffer.from('x') });
    s.push(videoConfig());
    for (const f of [video(true), audio(), video(false), video(true), audio(), video(false)]) s.push(f);
    flush(s);
    const sink = new FakeSink();
    s.subscribe({ id: 'late', protocol: 'rtmp', format: letters, sink, preamble: Buffer.from('H') });
    expect(sink.received).toBe('HMCKAP');
  });

  it('writes one joined buffer per batch, the same bytes to every viewer', () => {
    const s = liveStream();
    s.push(video(true));
    flush(s);
    const sinks = [new FakeSink(), new FakeSink(), new FakeSink()];
    const written: Buffer[] = [];
    for (const [i, sink] of sinks.entries()) {
      const orig = sink.write.bind(sink);
      sink.write = (b: Buffer) => {
        written.push(b);
        orig(b);
      };
      s.subscribe({ id: String(i), protocol: 'flv', format: letters, sink });
    }
    written.length = 0;
    s.push(audio());
    s.push(video(false));
    s.push(audio());
    flush(s);
    expect(written).toHaveLength(3);
    expect(written[0]).toBe(written[1]);
    expect(written[1]).toBe(written[2]);
    expect(sinks.map((k) => k.received)).toEqual(['KAPA', 'KAPA', 'KAPA']);
  });

  it('skips video for a slow viewer until a keyframe, keeps its audio, and never slows the others', () => {
    const s = liveStream();
    s.push(video(true));
    flush(s);
    const slow = new FakeSink();
    const fast = new FakeSink();
    const slowSub = s.subscribe({ id: 'slow', protocol: 'rtmp', format: letters, sink: slow });
    s.subscribe({ id: 'fast', protocol: 'rtmp', format: letters, sink: fast });
    slow.bufferedBytes = 2000;
    for (const f of [video(false), audio(), video(false)]) s.push(f);
    flush(s);
    slow.bufferedBytes = 100;
    for (const f of [video(false), audio(), video(true), video(false)]) s.push(f);
    flush(s);
    expect(fast.received).toBe('KPAPPAKP');
    expect(slow.received).toBe('KAAKP');
    expect(slowSub.droppedFrames).toBe(3);
    expect(s.droppedFrames).toBe(3);
    expect(slow.closedWith).toBeUndefined();
  });

  it('disconnects a viewer past the hard limit, and one that stays behind too long', () => {
    const s = new Stream('t', { protocol: 'rtmp' }, { ...OPTIONS, backpressure: { softLimitBytes: 1000, hardLimitBytes: 5000, maxSkipMs: 0 } });
    s.transition('STARTING');
    s.push(video(true));
    flush(s);
    const huge = new FakeSink();
    const lagging = new FakeSink();
    s.subscribe({ id: 'huge', protocol: 'flv', format: letters, sink: huge });
    s.subscribe({ id: 'lag', protocol: 'flv', format: letters, sink: lagging });
    huge.bufferedBytes = 6000;
    lagging.bufferedBytes = 2000;
    s.push(video(false));
    flush(s);
    expect(huge.closedWith).toBe('too-slow');
    s.push(video(false));
    flush(s);
    expect(lagging.closedWith).toBe('too-slow');
    expect(s.viewerCounts().total).toBe(0);
  });

  it('keeps its cache bounded when a publisher never sends a keyframe', () => {
    const s = new Stream('u', { protocol: 'rtmp' }, { ...OPTIONS, gopCache: { maxFrames: 10, maxBytes: 1_000_000 } });
    s.transition('STARTING');
    s.push(video(true));
    for (let i = 0; i < 1000; i++) s.push(video(false));
    flush(s);
    expect(s.gopCacheFrames).toBeLessThanOrEqual(10);
  });

  it('delivers nothing while paused and restarts viewers on a keyframe when resumed', () => {
    const s = liveStream();
    s.push(video(true));
    flush(s);
    const sink = new FakeSink();
    s.subscribe({ id: 'v', protocol: 'rtmp', format: letters, sink });
    s.pause();
    s.push(video(false));
    s.push(video(true));
    s.push(audio());
    flush(s);
    expect(sink.received).toBe('K');
    s.resume();
    s.push(video(false));
    flush(s);
    expect(sink.received).toBe('KKAP');
  });

  it('ends cleanly: pending frames go out, then every viewer is closed with stream-ended', () => {
    const s = liveStream();
    s.push(video(true));
    flush(s);
    const sink = new FakeSink();
    s.subscribe({ id: 'v', protocol: 'rtmp', format: letters, sink });
    s.push(video(false));
    s.end();
    expect(sink.received).toBe('KP');
    expect(sink.closedWith).toBe('stream-ended');
  });
});

describe('frame listeners', () => {
  it('see every accepted frame, even while paused, and a throwing one does not stop the stream', () => {
    const s = new Stream('l', { protocol: 'rtmp' }, OPTIONS);
    s.transition('STARTING');
    const seen: string[] = [];
    const errors: unknown[] = [];
    s.on('listenerError', (e) => errors.push(e));
    s.addFrameListener(() => {
      throw new Error('bad muxer');
    });
    const remove = s.addFrameListener((f) => seen.push(f.kind));
    s.push(video(true));
    s.pause();
    s.push(audio());
    remove();
    s.push(video(false));
    expect(seen).toEqual(['video', 'audio']);
    expect(errors).toHaveLength(3);
    expect(s.state).toBe('PAUSED');
  });
});

describe('fan-out batching', () => {
  it('with batchMs, frames pushed in separate event-loop turns reach a viewer in one write', async () => {
    const s = new Stream('batched', { protocol: 'rtmp' }, { ...OPTIONS, batchMs: 30 });
    s.transition('STARTING');
    s.push(video(true));
    s.flush();
    const sink = new FakeSink();
    s.subscribe({ id: 'v', protocol: 'rtmp', format: letters, sink });
    const before = sink.writes;
    s.push(audio());
    await new Promise((r) => setImmediate(r));
    s.push(video(false));
    await new Promise((r) => setImmediate(r));
    expect(sink.writes).toBe(before);
    await new Promise((r) => setTimeout(r, 60));
    expect(sink.writes).toBe(before + 1);
    expect(sink.received.endsWith('AP')).toBe(true);
  });
});

describe('Realtime formats', () => {
  it('get each frame at once, outside the batch, while batched viewers wait for the flush', () => {
    const s = new StreamRegistry({ ...OPTIONS, batchMs: 20 }).claim('rt', { protocol: 'rtmp' });
    s.push(video(true));
    const batched = new FakeSink();
    const realtime = new FakeSink();
    s.subscribe({ id: 'b', protocol: 'rtmp', format: letters, sink: batched });
    s.subscribe({ id: 'r', protocol: 'webrtc', format: { ...letters, name: 'letters-rt', realtime: true }, sink: realtime });
    expect([batched.received, realtime.received]).toEqual(['K', 'K']);
    s.push(video(false));
    s.push(audio());
    // the realtime viewer has both frames, one write each; the batched one has nothing yet
    expect([batched.received, realtime.received, realtime.writes]).toEqual(['K', 'KPA', 3]);
    flush(s);
    expect([batched.received, batched.writes]).toEqual(['KPA', 2]);
    expect(s.viewerCounts()).toMatchObject({ total: 2, rtmp: 1, webrtc: 1 });
    s.end();
    expect([batched.closedWith, realtime.closedWith]).toEqual(['stream-ended', 'stream-ended']);
  });
});
