import type { Stream } from '../../../hub/index.js';
import type { ResourceEndReason } from '../connection-watch.js';
import { WebRtcRequestError } from '../errors.js';
import type { IceFragment } from '../ice-fragment.js';
import type { WebRtcResource } from '../peer-resource.js';
import type { WebRtcSessionInfo } from '../session-info.js';

/** What a relayed session asks of the worker that holds its peer. */
export interface ViewerWorkerLink {
  patch(id: string, fragment: IceFragment, ifMatch: string | undefined): Promise<string | undefined>;
  end(id: string, reason: ResourceEndReason): void;
}

/**
 * The server's handle on a WHEP viewer whose peer lives in a viewer worker: the WHEP routes PATCH
 * and DELETE it like any other resource; the figures come from the worker once a second.
 */
export class RelayedWhepSession implements WebRtcResource {
  readonly createdAt = Date.now();
  private ended = false;
  private readonly onEnd: ((reason: ResourceEndReason) => void)[] = [];
  /** The worker's latest figures for this viewer. */
  info: WebRtcSessionInfo | undefined;

  constructor(
    readonly id: string,
    readonly stream: Stream,
    readonly etag: string,
    readonly worker: number,
    private readonly link: ViewerWorkerLink,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  get connectionState(): string {
    return this.info?.state ?? 'new';
  }

  stats(): WebRtcSessionInfo['tracks'] {
    return this.info?.tracks ?? { video: null, audio: null };
  }

  onceEnded(listener: (reason: ResourceEndReason) => void): void {
    this.onEnd.push(listener);
  }

  async acceptAnswer(_answer: string): Promise<void> {
    throw new WebRtcRequestError('WEBRTC_BAD_REQUEST', 'this resource is not waiting for an answer');
  }

  patch(fragment: IceFragment, ifMatch: string | undefined): Promise<string | undefined> {
    return this.link.patch(this.id, fragment, ifMatch);
  }

  /** Ended here (DELETE, shutdown): the worker ends the peer too. */
  end(reason: ResourceEndReason): void {
    if (this.ended) return;
    this.link.end(this.id, reason);
    this.finished(reason);
  }

  /** Ended in the worker (ICE failure, stream end) or with it. */
  finished(reason: ResourceEndReason): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.onEnd.splice(0)) l(reason);
  }
}
