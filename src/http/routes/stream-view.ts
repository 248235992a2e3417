import { z } from 'zod';
import type { ManagedStream, Principal, StreamKeyStore } from '../../auth/index.js';
import { describeStream, type PublisherInfo, type Stream, type StreamInfo, type StreamState } from '../../hub/index.js';

/**
 * One stream as the API shows it: the hub's live fields (state, codecs, viewers...) at the top
 * level, as before auth existed, joined with its catalog entry when it was created through the API.
 * A catalog stream nobody publishes has idle values; a live stream outside the catalog has `managed: false`.
 */
export interface StreamView extends Omit<StreamInfo, 'state' | 'publisher'> {
  state: StreamState | 'STOPPED';
  publisher: PublisherInfo | null;
  /** A publisher is connected (the hub has the stream and it has not ended). */
  live: boolean;
  /** Created through `POST /api/v1/streams` (title, privacy, owner, keys). */
  managed: boolean;
  title: string | null;
  private: boolean;
  ownerId: string | null;
  /** Stopped by an operator: publishing is refused until `start`. */
  stopped: boolean;
  activeKeys: number;
  updatedAt: string | null;
}

const IDLE_VIEWERS = { total: 0, rtmp: 0, flv: 0, 'ws-flv': 0, hls: 0, webrtc: 0, other: 0 };

/** Joins a catalog entry (if any) and the hub's stream (if any) of the same id. */
export function streamView(id: string, managed: ManagedStream | undefined, live: Stream | undefined, keys: StreamKeyStore | undefined): StreamView {
  const info = live !== undefined ? describeStream(live) : undefined;
  const state = info?.state ?? (managed?.stopped === true ? 'STOPPED' : managed !== undefined ? 'IDLE' : 'ENDED');
  return {
    id,
    state,
    createdAt: info?.createdAt ?? managed?.createdAt ?? new Date().toISOString(),
    startedAt: info?.startedAt ?? null,
    uptimeSeconds: info?.uptimeSeconds ?? 0,
    publisher: info?.publisher ?? null,
    video: info?.video ?? null,
    audio: info?.audio ?? null,
    width: info?.width ?? null,
    height: info?.height ?? null,
    fps: info?.fps ?? null,
    bitrateKbps: info?.bitrateKbps ?? 0,
    viewers: info?.viewers ?? { ...IDLE_VIEWERS },
    droppedFrames: info?.droppedFrames ?? 0,
    metadata: info?.metadata ?? {},
    live: info !== undefined && state !== 'ENDED' && state !== 'FAILED',
    managed: managed !== undefined,
    title: managed?.title ?? null,
    private: managed?.private ?? false,
    ownerId: managed?.ownerId ?? null,
    stopped: managed?.stopped ?? false,
    activeKeys: managed !== undefined && keys !== undefined ? keys.activeKeyCount(id) : 0,
    updatedAt: managed?.updatedAt ?? null,
  };
}

/** Catalog streams a principal may see: public ones, plus private ones they own (all for admins and moderators). */
export function visibleTo(p: Principal): (s: ManagedStream) => boolean {
  return (s) => !s.private || p.role === 'admin' || p.role === 'moderator' || s.ownerId === p.userId;
}

const Track = z.record(z.string(), z.unknown()).nullable().describe('codec details of the track, null without one');

/** The OpenAPI shape of StreamView. */
export const StreamViewSchema = z.object({
  id: z.string(),
  state: z.enum(['IDLE', 'STARTING', 'LIVE', 'PAUSED', 'STOPPING', 'ENDED', 'FAILED', 'STOPPED']),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  uptimeSeconds: z.number(),
  publisher: z.object({ protocol: z.string(), remoteAddress: z.string().optional(), encoder: z.string().optional() }).nullable(),
  video: Track,
  audio: Track,
  width: z.number().nullable(),
  height: z.number().nullable(),
  fps: z.number().nullable(),
  bitrateKbps: z.number(),
  viewers: z.object({ total: z.number(), rtmp: z.number(), flv: z.number(), 'ws-flv': z.number(), hls: z.number(), webrtc: z.number(), other: z.number() }),
  droppedFrames: z.number(),
  metadata: z.record(z.string(), z.unknown()),
  live: z.boolean(),
  managed: z.boolean(),
  title: z.string().nullable(),
  private: z.boolean(),
  ownerId: z.string().nullable(),
  stopped: z.boolean(),
  activeKeys: z.number().int(),
  updatedAt: z.string().nullable(),
});
