/**
 * A viewer worker: a child process (see ../worker-process.ts) that holds some of the native WHEP
 * viewers. It keeps a copy of each stream its viewers watch, fed frame by frame by the server, and
 * runs the same WHEP code on it as the server would (B-frame re-encoding and AAC → Opus included),
 * so one stream's viewers are sent to from several processes at once. The server authorizes,
 * counts viewers and routes PATCH and DELETE here.
 */
import { StreamRegistry, type Stream } from '../../../hub/index.js';
import { WebRtcService } from '../webrtc-service.js';
import type { OpusPacket, OpusSource } from '../opus-source.js';
import { serveWorker } from '../worker-side.js';
import type { FromViewerWorker, RelayedAnswer, ToViewerWorker } from './messages.js';

const STATS_INTERVAL_MS = 1000;

let service: WebRtcService | undefined;
let registry: StreamRegistry | undefined;
/** The server's WHIP publishers' Opus, per stream copy that has it. */
const publisherOpus = new Map<string, Set<(packet: OpusPacket) => void>>();

function opusSourceFor(streamId: string): OpusSource | undefined {
  const listeners = publisherOpus.get(streamId);
  if (listeners === undefined) return undefined;
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const channel = serveWorker<ToViewerWorker, FromViewerWorker>(async (m) => {
  if (m.t === 'init') {
    const { logLevel, streamOptions, ...options } = m.init;
    const reg = new StreamRegistry(streamOptions);
    registry = reg;
    reg.on('viewerJoined', (stream, viewer) => {
      if (viewer.protocol === 'webrtc') channel.post({ t: 'viewer', streamId: stream.id, id: viewer.id, joined: true, ...(viewer.remoteAddress !== undefined ? { remoteAddress: viewer.remoteAddress } : {}) });
    });
    reg.on('viewerLeft', (stream, viewer) => {
      if (viewer.protocol === 'webrtc') channel.post({ t: 'viewer', streamId: stream.id, id: viewer.id, joined: false });
    });
    const svc = new WebRtcService({ ...options, viewerTransport: options.viewerTransport === 'direct' ? 'direct' : 'native', registry: reg, logger: channel.logger(logLevel), requestKeyframe: (streamId) => channel.post({ t: 'keyframe', streamId }), opusSourceFor });
    service = svc;
    setInterval(() => channel.post({ t: 'stats', sessions: svc.sessions(), delivery: svc.delivery() }), STATS_INTERVAL_MS).unref();
    return undefined;
  }
  if (service === undefined || registry === undefined) throw new Error(`viewer worker got ${m.t} before init`);
  switch (m.t) {
    case 'feed': {
      let copy: Stream;
      try {
        copy = registry.claim(m.streamId, m.publisher);
      } catch {
        // an earlier copy is still ending: replace it
        registry.get(m.streamId)?.end('publisher-left');
        copy = registry.claim(m.streamId, m.publisher);
      }
      for (const frame of m.frames) copy.push(frame);
      if (m.opus) publisherOpus.set(m.streamId, new Set());
      else publisherOpus.delete(m.streamId);
      return undefined;
    }
    case 'opus': {
      const listeners = publisherOpus.get(m.streamId);
      if (listeners !== undefined) for (const l of listeners) l({ data: m.data, ms: m.ms });
      return undefined;
    }
    case 'frame':
      registry.get(m.streamId)?.push(m.frame);
      return undefined;
    case 'unfeed':
      publisherOpus.delete(m.streamId);
      registry.get(m.streamId)?.end(m.reason);
      return undefined;
    case 'play': {
      const { resource, sdp } = await service.play(m.streamId, m.offer, { remoteAddress: m.caller.remoteAddress, token: undefined, query: {}, ...(m.caller.userAgent !== undefined ? { userAgent: m.caller.userAgent } : {}) });
      resource.onceEnded((reason) => channel.post({ t: 'ended', id: resource.id, reason }));
      const answer: RelayedAnswer = { id: resource.id, sdp, etag: resource.etag };
      return answer;
    }
    case 'patch': {
      const resource = service.get(m.id);
      if (resource === undefined) return undefined;
      return resource.patch(m.fragment, m.ifMatch);
    }
    case 'end':
      service.get(m.id)?.end(m.reason);
      return undefined;
    case 'close':
      service.close();
      registry.endAll('server-stopping');
      setImmediate(() => process.disconnect());
      return undefined;
  }
});
