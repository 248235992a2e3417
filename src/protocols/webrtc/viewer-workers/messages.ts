import type { HubFrame } from '../../../media/index.js';
import type { PublisherInfo, StreamEndReason, StreamOptions } from '../../../hub/index.js';
import type { ResourceEndReason } from '../connection-watch.js';
import type { IceFragment } from '../ice-fragment.js';
import type { WebRtcOptions } from '../options.js';
import type { StreamDelivery, WebRtcSessionInfo } from '../session-info.js';

/** What a viewer worker runs with: the WHEP settings that can cross to another process. */
export type ViewerWorkerInit = Omit<WebRtcOptions, 'registry' | 'logger' | 'authorizePublish' | 'authorizePlay' | 'requestKeyframe' | 'viewerWorkers' | 'opusSourceFor'> & {
  logLevel: string;
  streamOptions: StreamOptions;
};

/** A WHEP viewer's request as the worker needs it (auth was done by the server). */
export interface RelayedCaller {
  remoteAddress: string;
  userAgent?: string;
}

/** Server → worker. Every message with a `seq` is answered. */
export type ToViewerWorker =
  | { t: 'init'; seq: number; init: ViewerWorkerInit }
  /** Starts a copy of a stream in the worker: its startup frames (metadata, sequence headers, GOP), then every frame as it comes. */
  | { t: 'feed'; streamId: string; publisher: PublisherInfo; frames: HubFrame[]; opus: boolean }
  | { t: 'frame'; streamId: string; frame: HubFrame }
  /** The stream's WHIP publisher's own Opus (when `feed` said `opus`), for viewers to get untouched. */
  | { t: 'opus'; streamId: string; data: Buffer; ms: number }
  | { t: 'unfeed'; streamId: string; reason: StreamEndReason }
  | { t: 'play'; seq: number; streamId: string; offer: string; caller: RelayedCaller }
  | { t: 'patch'; seq: number; id: string; fragment: IceFragment; ifMatch: string | undefined }
  | { t: 'end'; id: string; reason: ResourceEndReason }
  | { t: 'close'; seq: number };

/** What `play` answers. */
export interface RelayedAnswer {
  id: string;
  sdp: string;
  etag: string;
}

/** Worker → server (besides answers and log lines). */
export type FromViewerWorker =
  | { t: 'ended'; id: string; reason: ResourceEndReason }
  /** A WHEP viewer of the worker's copy of `streamId` joined or left (the server counts it on the real stream). */
  | { t: 'viewer'; streamId: string; id: string; joined: boolean; remoteAddress?: string }
  | { t: 'keyframe'; streamId: string }
  /** Once a second: every viewer's figures and the copies' hand-off times. */
  | { t: 'stats'; sessions: WebRtcSessionInfo[]; delivery: StreamDelivery[] };
