import { randomUUID } from 'node:crypto';
import type { RTCPeerConnection } from 'werift';
import type { Logger } from '../../base/index.js';
import { ConnectionWatch, type PeerResourceSettings, type ResourceEndReason } from './connection-watch.js';

export type { PeerResourceSettings, ResourceEndReason };
import { WebRtcRequestError } from './errors.js';
import { buildIceFragment, withIceCredentials, type IceFragment } from './ice-fragment.js';
import { gatheringComplete } from './peer-factory.js';
import { addPublicIpCandidates } from './public-ip.js';


/** What the routes and the service need of a WHIP/WHEP resource, whatever WebRTC stack carries it. */
export interface WebRtcResource {
  readonly id: string;
  readonly createdAt: number;
  readonly closed: boolean;
  /** The entity tag of the current ICE session (RFC 9725 §4.3.1). */
  readonly etag: string;
  readonly connectionState: string;
  onceEnded(listener: (reason: ResourceEndReason) => void): void;
  acceptAnswer(answer: string): Promise<void>;
  patch(fragment: IceFragment, ifMatch: string | undefined): Promise<string | undefined>;
  end(reason: ResourceEndReason): void;
}


// a STUN answer takes a round trip; an unreachable server must not hold the answer long
const GATHER_TIMEOUT_MS = 3000;

/**
 * One WHIP or WHEP resource (RFC 9725 §4): a peer connection addressed by a URL, answered once,
 * patched for trickle ICE and ICE restarts, deleted to end. Subclasses attach media.
 */
export abstract class PeerResource implements WebRtcResource {
  readonly id = randomUUID();
  readonly createdAt = Date.now();
  private ended = false;
  private readonly watch: ConnectionWatch;
  private onEnd: ((reason: ResourceEndReason) => void)[] = [];

  constructor(
    readonly pc: RTCPeerConnection,
    protected readonly log: Logger,
    private readonly settings: PeerResourceSettings,
  ) {
    this.watch = new ConnectionWatch(settings, { connected: () => this.connected(), end: (reason) => this.end(reason) });
    pc.connectionStateChange.subscribe((state) => {
      if (!this.ended) this.watch.state(state);
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  get connectionState(): string {
    return this.pc.connectionState;
  }

  /** The entity tag of the current ICE session (RFC 9725 §4.3.1): changes on every ICE restart. */
  get etag(): string {
    const ufrag = /^a=ice-ufrag:(.*)$/m.exec(this.pc.localDescription?.sdp ?? '')?.[1] ?? '';
    return `"${ufrag}"`;
  }

  /** Calls `listener` once when the resource ends, whatever the reason. */
  onceEnded(listener: (reason: ResourceEndReason) => void): void {
    this.onEnd.push(listener);
  }

  /** Applies a remote offer and returns our complete answer (all candidates gathered: clients may not trickle). */
  async answer(offer: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await gatheringComplete(this.pc, GATHER_TIMEOUT_MS);
    return this.localSdp();
  }

  /** Makes our own offer (a WHEP counter-offer); the client's answer arrives later by acceptAnswer(). */
  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await gatheringComplete(this.pc, GATHER_TIMEOUT_MS);
    return this.localSdp();
  }

  /** Applies the client's answer to our offer. */
  async acceptAnswer(answer: string): Promise<void> {
    if (this.pc.signalingState !== 'have-local-offer') throw new WebRtcRequestError('WEBRTC_BAD_REQUEST', 'this resource is not waiting for an answer');
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    } catch (err) {
      throw new WebRtcRequestError('WEBRTC_BAD_SDP', `the answer could not be applied: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * A trickle-ICE or ICE-restart PATCH (RFC 9725 §4.3). New credentials restart ICE and return our
   * new fragment; the same credentials (or none) add candidates and return undefined.
   */
  async patch(fragment: IceFragment, ifMatch: string | undefined): Promise<string | undefined> {
    const remote = this.pc.remoteDescription?.sdp;
    if (remote === undefined) throw new WebRtcRequestError('WEBRTC_BAD_REQUEST', 'the resource has no remote description yet');
    const remoteUfrag = /^a=ice-ufrag:(.*)$/m.exec(remote)?.[1];
    const restart = fragment.ufrag !== undefined && fragment.pwd !== undefined && fragment.ufrag !== remoteUfrag;
    // §4.3.1: a trickle PATCH must name the ICE session it belongs to; a restart uses "*"
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== this.etag) {
      throw new WebRtcRequestError('WEBRTC_PRECONDITION_FAILED', 'If-Match does not name the current ICE session');
    }
    if (restart) {
      this.log.info({ resource: this.id }, 'ice restart');
      await this.answer(withIceCredentials(remote, fragment.ufrag as string, fragment.pwd as string));
    }
    for (const c of fragment.candidates) {
      await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.mid ?? this.firstMid() });
    }
    return restart ? buildIceFragment(this.localSdp()) : undefined;
  }

  /** Ends the resource once: media detached by the subclass, then the peer connection closed. */
  end(reason: ResourceEndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.watch.stop();
    this.log.info({ resource: this.id, reason }, 'webrtc resource ended');
    try {
      this.detach(reason);
    } finally {
      void this.pc.close().catch(() => undefined);
      for (const l of this.onEnd.splice(0)) l(reason);
    }
  }

  /** Releases the media side (hub stream or subscription). */
  protected abstract detach(reason: ResourceEndReason): void;

  /** Called once ICE and DTLS are up. */
  protected abstract connected(): void;

  private localSdp(): string {
    const sdp = this.pc.localDescription?.sdp ?? '';
    return this.settings.publicIp !== undefined ? addPublicIpCandidates(sdp, this.settings.publicIp) : sdp;
  }

  private firstMid(): string | undefined {
    return /^a=mid:(.*)$/m.exec(this.pc.remoteDescription?.sdp ?? '')?.[1];
  }

}
