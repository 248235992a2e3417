import type { Logger } from '../../../base/index.js';
import type { Stream, Subscription } from '../../../hub/index.js';
import { WebRtcRequestError, type WebRtcErrorCode } from '../errors.js';
import type { OpusSource } from '../opus-source.js';
import type { StreamDelivery } from '../session-info.js';
import { workerCount, WorkerProcess, type WorkerError } from '../worker-process.js';
import type { FromViewerWorker, RelayedAnswer, RelayedCaller, ToViewerWorker, ViewerWorkerInit } from './messages.js';
import { RelayedWhepSession } from './relayed-whep-session.js';

export interface ViewerWorkerPoolOptions {
  workers: number;
  init: Omit<ViewerWorkerInit, 'logLevel'>;
  logger: Logger;
  /** A viewer in a worker asked for a keyframe of `streamId`. */
  requestKeyframe(streamId: string): void;
  /** The stream's publisher's own Opus, when it has one (a WHIP publisher), relayed so viewers get it untouched. */
  opusSource(streamId: string): OpusSource | undefined;
}

const CLOSE_TIMEOUT_MS = 5000;
const RESPAWN_DELAY_MS = 1000;

type ViewerWorkerProcess = WorkerProcess<ToViewerWorker, FromViewerWorker>;

/** A stream copied to one worker: who watches it there, and the tap that feeds it. */
interface Feed {
  stream: Stream;
  sessions: number;
  stopTap: () => void;
  stopStateWatch: () => void;
}

class ViewerWorkerSlot {
  readonly feeds = new Map<string, Feed>();
  readonly sessions = new Map<string, RelayedWhepSession>();
  /** Viewers of the worker's stream copies, counted on the real streams. */
  readonly counted = new Map<string, Subscription>();
  delivery: StreamDelivery[] = [];
  /** Viewers being negotiated: counted toward "fewest" so simultaneous offers spread too. */
  joining = 0;

  constructor(
    readonly index: number,
    readonly worker: ViewerWorkerProcess,
  ) {}
}

/**
 * Native WHEP viewers spread over worker processes: a new viewer goes to the worker with the fewest,
 * which gets a copy of the stream (its startup frames, then every frame) while it has viewers of it.
 * One stream's viewers are then sent to from several event loops at once — the hand-off of each
 * frame to N viewers, libdatachannel's encryption and send included, no longer runs one after the
 * other on one core.
 */
export class ViewerWorkerPool {
  private readonly slots: ViewerWorkerSlot[] = [];
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: ViewerWorkerPoolOptions) {
    this.log = options.logger.child({ component: 'viewer-workers' });
    for (let i = 0; i < workerCount(options.workers, 'a viewer worker pool'); i++) this.slots.push(this.spawn(i));
  }

  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.started));
  }

  /** Answers a viewer's offer for `stream` (already authorized) from the least busy worker. */
  async play(stream: Stream, offer: string, caller: RelayedCaller): Promise<{ resource: RelayedWhepSession; sdp: string }> {
    const slot = this.slots.reduce((best, s) => (s.sessions.size + s.joining < best.sessions.size + best.joining ? s : best));
    const feed = this.feed(slot, stream);
    feed.sessions++;
    slot.joining++;
    let answer: RelayedAnswer;
    try {
      answer = (await slot.worker.request({ t: 'play', seq: 0, streamId: stream.id, offer, caller })) as RelayedAnswer;
    } catch (err) {
      this.release(slot, stream.id);
      throw err;
    } finally {
      slot.joining--;
    }
    const worker = slot.worker;
    const session = new RelayedWhepSession(answer.id, stream, answer.etag, slot.index, {
      patch: async (id, fragment, ifMatch) => (await worker.request({ t: 'patch', seq: 0, id, fragment, ifMatch })) as string | undefined,
      end: (id, reason) => worker.post({ t: 'end', id, reason }),
    });
    slot.sessions.set(session.id, session);
    session.onceEnded(() => {
      slot.sessions.delete(session.id);
      this.release(slot, stream.id);
    });
    return { resource: session, sdp: answer.sdp };
  }

  /** Hand-off times of the stream copies, one entry per worker and stream. */
  delivery(): (StreamDelivery & { worker: number })[] {
    return this.slots.flatMap((s) => s.delivery.map((d) => ({ ...d, worker: s.index })));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) for (const session of [...s.sessions.values()]) session.finished('server-stopping');
    await Promise.all(this.slots.map((s) => s.worker.close({ t: 'close', seq: 0 }, CLOSE_TIMEOUT_MS)));
  }

  private feed(slot: ViewerWorkerSlot, stream: Stream): Feed {
    const existing = slot.feeds.get(stream.id);
    if (existing !== undefined) return existing;
    const worker = slot.worker;
    const opus = this.options.opusSource(stream.id);
    worker.post({ t: 'feed', streamId: stream.id, publisher: stream.publisher, frames: stream.startupFrames(), opus: opus !== undefined });
    const stopFrames = stream.addFrameListener((frame) => worker.post({ t: 'frame', streamId: stream.id, frame }));
    const stopOpus = opus?.subscribe((p) => worker.post({ t: 'opus', streamId: stream.id, data: p.data, ms: p.ms }));
    const stopTap = (): void => {
      stopFrames();
      stopOpus?.();
    };
    const onState = (_from: string, to: string): void => {
      if (to === 'ENDED' || to === 'FAILED') this.unfeed(slot, stream.id);
    };
    stream.on('state', onState);
    const feed: Feed = { stream, sessions: 0, stopTap, stopStateWatch: () => stream.off('state', onState) };
    slot.feeds.set(stream.id, feed);
    return feed;
  }

  private release(slot: ViewerWorkerSlot, streamId: string): void {
    const feed = slot.feeds.get(streamId);
    if (feed === undefined) return;
    feed.sessions--;
    if (feed.sessions <= 0) this.unfeed(slot, streamId);
  }

  private unfeed(slot: ViewerWorkerSlot, streamId: string): void {
    const feed = slot.feeds.get(streamId);
    if (feed === undefined) return;
    slot.feeds.delete(streamId);
    feed.stopTap();
    feed.stopStateWatch();
    slot.worker.post({ t: 'unfeed', streamId, reason: 'publisher-left' });
  }

  private spawn(index: number): ViewerWorkerSlot {
    const slot: ViewerWorkerSlot = new ViewerWorkerSlot(
      index,
      new WorkerProcess<ToViewerWorker, FromViewerWorker>({
        entry: new URL('./viewer-worker.js', import.meta.url),
        index,
        log: this.log.child({ viewer_worker: index }),
        onMessage: (m) => this.onMessage(slot, m),
        onExit: (code) => this.onExit(slot, code),
        toError,
        init: { t: 'init', seq: 0, init: { ...this.options.init, logLevel: this.options.logger.level } },
      }),
    );
    return slot;
  }

  private onMessage(slot: ViewerWorkerSlot, m: FromViewerWorker): void {
    switch (m.t) {
      case 'ended':
        slot.sessions.get(m.id)?.finished(m.reason);
        return;
      case 'viewer': {
        const stream = slot.feeds.get(m.streamId)?.stream;
        const key = `${m.streamId}\n${m.id}`;
        if (m.joined && stream !== undefined) slot.counted.set(key, stream.addPullViewer({ id: `w${slot.index}-${m.id}`, protocol: 'webrtc', ...(m.remoteAddress !== undefined ? { remoteAddress: m.remoteAddress } : {}) }));
        else if (!m.joined) {
          slot.counted.get(key)?.unsubscribe();
          slot.counted.delete(key);
        }
        return;
      }
      case 'keyframe':
        this.options.requestKeyframe(m.streamId);
        return;
      case 'stats':
        for (const info of m.sessions) {
          const session = slot.sessions.get(info.id);
          if (session !== undefined) session.info = info;
        }
        slot.delivery = m.delivery;
        return;
    }
  }

  /** A worker that ends unasked takes its viewers with it; a fresh one takes the slot a second later. */
  private onExit(slot: ViewerWorkerSlot, code: number | string): void {
    for (const c of slot.counted.values()) c.unsubscribe();
    slot.counted.clear();
    for (const feed of [...slot.feeds.keys()]) this.unfeed(slot, feed);
    for (const session of [...slot.sessions.values()]) session.finished(slot.worker.closing || this.closed ? 'server-stopping' : 'worker-failed');
    if (slot.worker.closing || this.closed) return;
    this.log.error({ viewer_worker: slot.index, code }, 'viewer worker exited; its viewers are gone');
    setTimeout(() => {
      if (!this.closed) this.slots[slot.index] = this.spawn(slot.index);
    }, RESPAWN_DELAY_MS).unref();
  }
}

function toError(e: WorkerError): Error {
  return e.internal || !e.code.startsWith('WEBRTC_') ? new Error(e.message) : new WebRtcRequestError(e.code as WebRtcErrorCode, e.message);
}
