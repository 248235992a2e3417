import type { LatencySnapshot } from '../../base/index.js';

/** One WHIP publisher or WHEP viewer as the sessions API shows it. */
export interface WebRtcSessionInfo {
  id: string;
  kind: 'whip' | 'whep';
  streamId: string;
  state: string;
  since: string;
  tracks: { video: object | null; audio: object | null };
  /** The viewer worker holding the peer (`viewer_workers`). */
  worker?: number;
}

/** Per stream with WHEP viewers: how long handing each frame to all of them took. */
export type StreamDelivery = LatencySnapshot & {
  streamId: string;
  viewers: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Per viewer and frame: how long after the frame entered the hub that viewer was handed it (the server's part of its added latency). */
  perViewer: LatencySnapshot & { p50Ms: number | undefined; p99Ms: number | undefined };
};
