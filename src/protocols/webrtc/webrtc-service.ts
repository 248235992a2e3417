import { type RTCRtpSender } from 'werift';
import { latencyQuantile, type Logger } from '../../base/index.js';
import type { StreamDelivery, WebRtcSessionInfo } from './session-info.js';
import { resolveDecision, STREAM_ID_PATTERN, StreamAlreadyPublishingError, type AuthorizePlay, type AuthorizePublish, type Stream } from '../../hub/index.js';
import { parseAvcDecoderConfig } from '../../media/index.js';
import { Transcoder } from '../../transcode/index.js';
import { AacToOpus } from './aac-to-opus.js';
import { planCodecs, type CodecPlan } from './codec-choice.js';
import { WebRtcConfigError, WebRtcRequestError, WhepCounterOfferError } from './errors.js';
import { nativeSrtpUnavailable } from './direct/index.js';
import { iceServersFor, iceServerLinks } from './ice-servers.js';
import { WEBRTC_DEFAULTS, type IceServerOptions, type WebRtcOptions } from './options.js';
import { createPeer } from './peer-factory.js';
import type { PeerResource, PeerResourceSettings, WebRtcResource } from './peer-resource.js';
import { NativeWhepSession } from './native-whep-session.js';
import { RelayedWhepSession, ViewerWorkerPool } from './viewer-workers/index.js';
import { RtpFrameFormat } from './rtp-frame-format.js';
import { parseSdpOffer, restrictOffer, type OfferedMedia } from './sdp-offer.js';
import { WhepSession } from './whep-session.js';
import { WhipSession } from './whip-session.js';

/** One WHIP or WHEP session as the sessions API shows it. */

/** Who is calling, as the routes saw it. */
export interface WebRtcCaller {
  remoteAddress: string;
  /** Bearer token from the Authorization header, or `?token=`. */
  token: string | undefined;
  query: Readonly<Record<string, string>>;
  userAgent?: string;
}

/** A negotiated resource and what the client needs to know about it. */
export interface NegotiatedResource {
  resource: WebRtcResource;
  /** Our answer (or, for a WHEP counter-offer, our offer). */
  sdp: string;
  links: string[];
}

const PLAYABLE = new Set(['STARTING', 'LIVE', 'PAUSED']);

/**
 * WHIP ingest and WHEP playback on werift, bridged through the hub: owns every WebRTC resource,
 * one shared RTP format per played stream, and the publishers viewers ask for keyframes.
 */
export class WebRtcService {
  private readonly resources = new Map<string, WebRtcResource>();
  private readonly publishers = new Map<string, WhipSession>();
  private readonly formats = new Map<Stream, RtpFrameFormat>();
  private readonly transcoders = new Map<Stream, AacToOpus>();
  /** B-frame-free copies of streams that have B-frames (WebRTC H.264 has none), one ffmpeg per stream. */
  private readonly reencoders = new Map<Stream, Transcoder>();
  private readonly log: Logger;
  private readonly settings: PeerResourceSettings;
  private readonly maxPayloadSize: number;
  private authorizePublish: AuthorizePublish | undefined;
  private authorizePlay: AuthorizePlay | undefined;
  /** Native WHEP viewers in worker processes (`viewerWorkers`), or undefined when they stay here. */
  private readonly viewerPool: ViewerWorkerPool | undefined;

  constructor(private readonly options: WebRtcOptions) {
    this.log = options.logger.child({ component: 'webrtc' });
    this.authorizePublish = options.authorizePublish;
    this.authorizePlay = options.authorizePlay;
    this.maxPayloadSize = options.maxRtpPayloadSize ?? WEBRTC_DEFAULTS.maxRtpPayloadSize;
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? WEBRTC_DEFAULTS.connectTimeoutMs,
      disconnectGraceMs: 10_000,
      ...(options.publicIp !== undefined ? { publicIp: options.publicIp } : {}),
    };
    const missing = options.viewerTransport === 'direct' ? nativeSrtpUnavailable() : undefined;
    if (missing !== undefined) throw new WebRtcConfigError(`streaming.webrtc.viewer_transport "direct": ${missing}`);
    if ((options.viewerWorkers ?? 0) > 0 && (options.viewerTransport === 'native' || options.viewerTransport === 'direct')) {
      const { registry, logger, authorizePublish: _p, authorizePlay: _a, requestKeyframe: _k, viewerWorkers, ...init } = options;
      this.viewerPool = new ViewerWorkerPool({
        workers: viewerWorkers ?? 1,
        init: { ...init, streamOptions: registry.streamOptions },
        logger,
        requestKeyframe: (streamId) => this.publishers.get(streamId)?.requestKeyframe(),
        opusSource: (streamId) => {
          const whip = this.publishers.get(streamId);
          return whip?.transcodesAudio === true ? whip : undefined;
        },
      });
    }
  }

  /** Resolves once the viewer workers (if any) run; their startup errors surface here. */
  async ready(): Promise<void> {
    await this.viewerPool?.ready();
  }

  /** Resources alive now (publishers and viewers). */
  get size(): number {
    return this.resources.size;
  }

  /** Every WHIP publisher and WHEP viewer with its delivery figures (the sessions API, analytics). */
  sessions(): WebRtcSessionInfo[] {
    return [...this.resources.values()].map((r) => ({
      id: r.id,
      kind: r instanceof WhipSession ? 'whip' : 'whep',
      streamId: r instanceof WhipSession || r instanceof WhepSession || r instanceof NativeWhepSession || r instanceof RelayedWhepSession ? r.stream.id.replace(/\/webrtc$/, '') : '',
      state: r.connectionState,
      since: new Date(r.createdAt).toISOString(),
      tracks: r instanceof WhipSession || r instanceof WhepSession || r instanceof NativeWhepSession || r instanceof RelayedWhepSession ? r.stats() : { video: null, audio: null },
      ...(r instanceof RelayedWhepSession ? { worker: r.worker } : {}),
    }));
  }

  /**
   * Per stream with WHEP viewers: how long handing each frame to all of them took (the server's
   * JavaScript part of their added latency; encryption and sending follow in native threads or
   * werift). Cumulative, so two reads subtract into the distribution between them.
   */
  delivery(): StreamDelivery[] {
    const streams = new Map<string, { stream: Stream; viewers: number }>();
    for (const r of this.resources.values()) {
      if (!(r instanceof WhepSession || r instanceof NativeWhepSession)) continue;
      const entry = streams.get(r.stream.id) ?? { stream: r.stream, viewers: 0 };
      entry.viewers++;
      streams.set(r.stream.id, entry);
    }
    const here = [...streams.values()].map(({ stream, viewers }) => {
      const snapshot = stream.realtimeDelivery.snapshot();
      const perViewer = stream.realtimeViewerDelivery.snapshot();
      return {
        streamId: stream.id.replace(/\/webrtc$/, ''),
        viewers,
        p50Ms: latencyQuantile(snapshot, 0.5),
        p99Ms: latencyQuantile(snapshot, 0.99),
        ...snapshot,
        perViewer: { p50Ms: latencyQuantile(perViewer, 0.5), p99Ms: latencyQuantile(perViewer, 0.99), ...perViewer },
      };
    });
    return [...here, ...(this.viewerPool?.delivery() ?? [])];
  }

  /** Ids of the streams re-encoded without B-frames for WHEP viewers right now. */
  get reencodedStreams(): string[] {
    return [...this.reencoders.keys()].map((s) => s.id);
  }

  setAuthorizePublish(hook: AuthorizePublish | undefined): void {
    this.authorizePublish = hook;
  }

  setAuthorizePlay(hook: AuthorizePlay | undefined): void {
    this.authorizePlay = hook;
  }

  /** The ICE servers (with fresh TURN credentials) for one client, as Link header values. */
  iceLinks(user: string): string[] {
    return iceServerLinks(this.iceServers(user));
  }

  get(id: string): WebRtcResource | undefined {
    return this.resources.get(id);
  }

  /** Ends one resource (DELETE); false when there is none by that id. */
  delete(id: string): boolean {
    const r = this.resources.get(id);
    if (r === undefined) return false;
    r.end('deleted');
    return true;
  }

  /** Ends every resource; WHIP streams end with 'server-stopping'. */
  async close(): Promise<void> {
    for (const r of [...this.resources.values()]) r.end('server-stopping');
    await this.viewerPool?.close();
    for (const f of this.formats.values()) f.close();
    this.formats.clear();
    for (const t of this.transcoders.values()) t.close();
    this.transcoders.clear();
    for (const t of this.reencoders.values()) t.stop();
    this.reencoders.clear();
  }

  /** WHIP POST: authorizes `key`, claims the stream and answers the publisher's offer. */
  async publish(key: string, offer: string, caller: WebRtcCaller): Promise<NegotiatedResource> {
    const media = parseSdpOffer(offer);
    const plan = planCodecs(media, undefined, { allowVpx: true });
    requireChoices(media, plan, 'publish');
    const streamId = await this.authorizePublisher(key, caller);
    let stream: Stream;
    try {
      stream = this.options.registry.claim(streamId, { protocol: 'webrtc', remoteAddress: caller.remoteAddress, expectsVideo: plan.video !== undefined, ...(caller.userAgent !== undefined ? { encoder: caller.userAgent } : {}) });
    } catch (err) {
      if (err instanceof StreamAlreadyPublishingError) throw new WebRtcRequestError('WEBRTC_STREAM_BUSY', err.message, { cause: err });
      throw err;
    }
    const iceServers = this.iceServers(streamId);
    const aacFfmpeg = plan.audio !== undefined && this.options.transcodeWhipAudio !== false ? (this.options.ffmpegPath ?? 'ffmpeg') : undefined;
    const session = new WhipSession(createPeer(plan, this.options, this.agentIceServers()), stream, this.log.child({ stream_id: streamId }), this.settings, aacFfmpeg, this.options.whipKeyframeIntervalMs, plan.video?.codec.name === 'vp8' ? 'vp8' : plan.video?.codec.name === 'vp9' ? 'vp9' : 'h264', this.options.ffmpegPath ?? 'ffmpeg');
    this.track(session);
    this.publishers.set(streamId, session);
    session.onceEnded(() => {
      if (this.publishers.get(streamId) === session) this.publishers.delete(streamId);
    });
    const sdp = await this.negotiate(session, restrictOffer(offer, plan.keep));
    this.log.info({ stream_id: streamId, resource: session.id, video: plan.video?.codec.fmtp['profile-level-id'], audio: plan.audio !== undefined }, 'whip publish negotiated');
    return { resource: session, sdp, links: iceServerLinks(iceServers) };
  }

  /**
   * WHEP POST: answers a player's offer for stream `id`. An offer we cannot send into (no H.264
   * packetization-mode 1) is refused with a counter-offer the player may answer by PATCH.
   */
  async play(id: string, offer: string, caller: WebRtcCaller): Promise<NegotiatedResource> {
    const playable = this.playableStream(id, caller);
    const pool = this.viewerPool;
    if (pool !== undefined && planCodecs(parseSdpOffer(offer), this.profileOf(playable)).video !== undefined) {
      // The worker runs this same method on its copy of the stream (B-frames and AAC handled there).
      const { resource, sdp } = await pool.play(playable, offer, { remoteAddress: caller.remoteAddress, ...(caller.userAgent !== undefined ? { userAgent: caller.userAgent } : {}) });
      this.track(resource);
      return { resource, sdp, links: iceServerLinks(this.iceServers(`whep-${id}`)) };
    }
    const stream = this.playbackSource(playable);
    const media = parseSdpOffer(offer);
    const profileIdc = this.profileOf(stream);
    const plan = planCodecs(media, profileIdc);
    if (plan.video === undefined && plan.audio === undefined) {
      const counter = await this.counterOffer(stream, caller, profileIdc);
      throw new WhepCounterOfferError('the offer has no H.264 (packetization-mode=1) or Opus we can send', counter.sdp, counter.resource.id);
    }
    const iceServers = this.iceServers(`whep-${id}`);
    // libdatachannel viewers retransmit on RTX when the player offers it; werift's answer keeps to the media payload
    if ((this.options.viewerTransport ?? 'werift') === 'native' && plan.video?.rtx !== undefined) plan.keep.get(plan.video.mid)?.add(plan.video.rtx);
    const session = this.viewer(stream, plan);
    session.onceEnded(() => this.releaseReencoder(stream));
    const sdp = await this.negotiate(session, restrictOffer(offer, plan.keep));
    return { resource: session, sdp, links: iceServerLinks(iceServers) };
  }

  /** WHEP HEAD/discovery: throws as POST would (404, 401, 403) when the stream cannot be played. */
  checkPlayable(id: string, caller: WebRtcCaller): void {
    this.playableStream(id, caller);
  }

  private async counterOffer(stream: Stream, _caller: WebRtcCaller, profileIdc: number | undefined): Promise<NegotiatedResource> {
    const profile = (profileIdc ?? 0x42).toString(16).padStart(2, '0');
    const plan: CodecPlan = {
      video: { mid: '0', codec: { payloadType: 102, name: 'h264', clockRate: 90000, fmtp: { 'level-asymmetry-allowed': '1', 'packetization-mode': '1', 'profile-level-id': `${profile}e01f` } } },
      audio: { mid: '1', codec: { payloadType: 111, name: 'opus', clockRate: 48000, channels: 2, fmtp: { minptime: '10', useinbandfec: '1' } } },
      keep: new Map(),
    };
    const iceServers = this.iceServers(`whep-${stream.id}`);
    const session = this.viewer(stream, plan, 'werift') as WhepSession;
    try {
      return { resource: session, sdp: await session.offer(), links: iceServerLinks(iceServers) };
    } catch (err) {
      session.end('negotiation-failed');
      throw err;
    }
  }

  /**
   * What WHEP viewers of `stream` receive: the stream itself, or, when its video has B-frames
   * (which WebRTC H.264 cannot carry), a copy re-encoded without them by ffmpeg, made once per
   * stream while it has viewers.
   */
  private playbackSource(stream: Stream): Stream {
    const existing = this.reencoders.get(stream);
    if (existing !== undefined) return existing.output;
    if (!stream.startupFrames().some((f) => f.kind === 'video' && !f.config && f.pts !== f.dts)) return stream;
    const height = stream.video?.height ?? 720;
    const kbps = Math.min(8000, Math.max(500, Math.round(stream.bitrate() / 1000) || 2500));
    const reencoder = new Transcoder(
      { name: 'webrtc', height, videoBitrateKbps: kbps, audioBitrateKbps: 128 },
      { renditions: [], start: 'with-stream', ffmpegPath: this.options.ffmpegPath ?? 'ffmpeg', preset: 'veryfast', keyframeIntervalSeconds: 2, minRestartMs: 1000, maxRestartMs: 30_000 },
      stream,
      this.options.registry.streamOptions,
      this.log.child({ stream_id: stream.id, component: 'webrtc-reencode' }),
    );
    this.reencoders.set(stream, reencoder);
    reencoder.start();
    stream.on('state', (_from, to) => {
      if (to !== 'ENDED' && to !== 'FAILED') return;
      reencoder.stop();
      if (this.reencoders.get(stream) === reencoder) this.reencoders.delete(stream);
    });
    this.log.info({ stream_id: stream.id, height, kbps }, 'stream has B-frames: WHEP viewers get a copy re-encoded without them');
    return reencoder.output;
  }

  /** Stops the re-encoding ffmpeg whose output `stream` is, once nobody watches it. */
  private releaseReencoder(stream: Stream): void {
    for (const [source, reencoder] of this.reencoders) {
      if (reencoder.output !== stream) continue;
      if ([...this.resources.values()].some((r) => (r instanceof WhepSession || r instanceof NativeWhepSession) && r.stream === stream)) return;
      reencoder.stop();
      this.reencoders.delete(source);
    }
  }

  /**
   * A WHEP viewer on the configured transport. The counter-offer path always uses werift: it needs
   * our own offer and the player's answer later, which the native transport does not do here.
   */
  private viewer(stream: Stream, plan: CodecPlan, transport = this.options.viewerTransport ?? 'werift'): WhepSession | NativeWhepSession {
    const whip = this.publishers.get(stream.id);
    // a WHIP publisher's Opus goes to viewers untouched (also from a viewer worker); other AAC is transcoded once per stream
    const publisherOpus = whip !== undefined ? (whip.transcodesAudio ? whip : undefined) : this.options.opusSourceFor?.(stream.id);
    const transcoder = plan.audio === undefined || publisherOpus !== undefined || !this.carriesAac(stream) ? undefined : this.transcoderFor(stream);
    const audioSource = plan.audio !== undefined && publisherOpus !== undefined ? publisherOpus : transcoder;
    const wantKeyframe = (): void => {
      const publisher = this.publishers.get(stream.id);
      if (publisher !== undefined) publisher.requestKeyframe();
      else this.options.requestKeyframe?.(stream.id);
    };
    const log = this.log.child({ stream_id: stream.id });
    let session: WhepSession | NativeWhepSession;
    if (transport === 'native') {
      session = new NativeWhepSession(stream, this.formatFor(stream), plan, wantKeyframe, log, this.settings, this.options, this.agentIceServers(), audioSource);
    } else {
      const pc = createPeer(plan, this.options, this.agentIceServers());
      const senders: { video?: RTCRtpSender; audio?: RTCRtpSender } = {};
      if (plan.video !== undefined) senders.video = pc.addTransceiver('video', { direction: 'sendonly' }).sender;
      if (plan.audio !== undefined) senders.audio = pc.addTransceiver('audio', { direction: 'sendonly' }).sender;
      session = new WhepSession(pc, stream, this.formatFor(stream), senders, wantKeyframe, log, this.settings, audioSource, transport === 'direct');
    }
    this.track(session);
    if (transcoder !== undefined) {
      session.onceEnded(() => {
        // the ffmpeg child runs only while someone listens
        if (transcoder.subscribers > 0 || this.transcoders.get(stream) !== transcoder) return;
        if ([...this.resources.values()].some((r) => (r instanceof WhepSession || r instanceof NativeWhepSession) && r.stream === stream)) return;
        transcoder.close();
        this.transcoders.delete(stream);
      });
    }
    return session;
  }

  private carriesAac(stream: Stream): boolean {
    // a re-encoded copy always carries AAC (ffmpeg makes it), even before its first frame
    if ([...this.reencoders.values()].some((r) => r.output === stream)) return true;
    if (stream.audio !== undefined) return stream.audio.codec === 'aac';
    return stream.startupFrames().some((f) => f.kind === 'audio' && f.codec === 'aac');
  }

  private transcoderFor(stream: Stream): AacToOpus {
    let t = this.transcoders.get(stream);
    if (t === undefined) {
      const created = new AacToOpus(stream, this.options.ffmpegPath ?? 'ffmpeg', this.log.child({ stream_id: stream.id, component: 'webrtc-audio' }));
      t = created;
      this.transcoders.set(stream, created);
      stream.on('state', (_from, to) => {
        if (to !== 'ENDED' && to !== 'FAILED') return;
        created.close();
        if (this.transcoders.get(stream) === created) this.transcoders.delete(stream);
      });
    }
    return t;
  }

  private async negotiate(resource: PeerResource | NativeWhepSession, offer: string): Promise<string> {
    try {
      return await resource.answer(offer);
    } catch (err) {
      resource.end('negotiation-failed');
      throw new WebRtcRequestError('WEBRTC_BAD_SDP', `the offer could not be negotiated: ${(err as Error).message}`, { cause: err });
    }
  }

  private track(resource: WebRtcResource): void {
    this.resources.set(resource.id, resource);
    resource.onceEnded(() => this.resources.delete(resource.id));
  }

  private formatFor(stream: Stream): RtpFrameFormat {
    let format = this.formats.get(stream);
    if (format === undefined) {
      const created = new RtpFrameFormat(stream, this.maxPayloadSize);
      format = created;
      this.formats.set(stream, created);
      stream.on('state', (_from, to) => {
        if (to !== 'ENDED' && to !== 'FAILED') return;
        created.close();
        this.formats.delete(stream);
      });
    }
    return format;
  }

  private profileOf(stream: Stream): number | undefined {
    const config = stream.startupFrames().find((f) => f.kind === 'video' && f.config && f.codec === 'h264');
    if (config === undefined || config.kind !== 'video') return undefined;
    try {
      return parseAvcDecoderConfig(config.data).profile;
    } catch {
      return undefined;
    }
  }

  private playableStream(id: string, caller: WebRtcCaller): Stream {
    if (this.authorizePlay !== undefined) {
      const decision = this.authorizePlay({ streamId: id, protocol: 'webrtc', remoteAddress: caller.remoteAddress, token: caller.token });
      if (!decision.allow) {
        const code = decision.status === 401 ? 'WEBRTC_UNAUTHORIZED' : decision.status === 403 ? 'WEBRTC_FORBIDDEN' : 'WEBRTC_STREAM_NOT_FOUND';
        throw new WebRtcRequestError(code, decision.reason);
      }
    }
    const stream = this.options.registry.get(id);
    if (stream === undefined || !PLAYABLE.has(stream.state)) throw new WebRtcRequestError('WEBRTC_STREAM_NOT_FOUND', `stream ${id} is not live`);
    if (stream.video !== undefined && stream.video.codec !== 'h264') {
      throw new WebRtcRequestError('WEBRTC_CODEC_NOT_ACCEPTABLE', `stream ${id} carries ${stream.video.codec}; WebRTC playback needs H.264 for now`);
    }
    return stream;
  }

  private async authorizePublisher(key: string, caller: WebRtcCaller): Promise<string> {
    let streamId = key;
    if (this.authorizePublish !== undefined) {
      // RFC 9725 §4.5: the Bearer token reaches the hook as `token`, beside the key from the URL
      const query = caller.token !== undefined ? { ...caller.query, token: caller.token } : caller.query;
      let decision: ReturnType<typeof resolveDecision>;
      try {
        decision = resolveDecision(await this.authorizePublish(key, { streamKey: key, app: 'whip', protocol: 'webrtc', remoteAddress: caller.remoteAddress, query }), key);
      } catch (err) {
        this.log.error({ err }, 'authorizePublish hook threw; refusing the publish');
        throw new WebRtcRequestError('WEBRTC_FORBIDDEN', 'authorization failed');
      }
      if (!decision.allow) throw new WebRtcRequestError(caller.token === undefined ? 'WEBRTC_UNAUTHORIZED' : 'WEBRTC_FORBIDDEN', decision.reason ?? 'publishing with this key is not allowed');
      streamId = decision.streamId;
    }
    if (!STREAM_ID_PATTERN.test(streamId)) throw new WebRtcRequestError('WEBRTC_BAD_REQUEST', 'the stream id has characters outside [A-Za-z0-9_.-]');
    return streamId;
  }

  /**
   * Servers our own ICE agent uses: STUN only, to learn a server-reflexive address. A relay
   * through TURN would only add a hop for a server that clients can reach.
   */
  private agentIceServers(): IceServerOptions[] {
    return this.options.stunServers.length > 0 ? [{ urls: [...this.options.stunServers] }] : [];
  }

  private iceServers(user: string): IceServerOptions[] {
    return iceServersFor({ stunServers: this.options.stunServers, turnServers: this.options.turnServers, ...(this.options.turnSecret !== undefined ? { turnSecret: this.options.turnSecret } : {}) }, user);
  }
}

/** Every audio and video section must be usable: a publisher sending what we cannot read is refused up front. */
function requireChoices(media: readonly OfferedMedia[], plan: CodecPlan, what: string): void {
  const av = media.filter((m) => m.kind === 'audio' || m.kind === 'video');
  if (av.length === 0) throw new WebRtcRequestError('WEBRTC_BAD_SDP', 'the offer has no audio or video section');
  for (const m of av) {
    const chosen = m.kind === 'video' ? plan.video : plan.audio;
    if (chosen === undefined || chosen.mid !== m.mid) {
      throw new WebRtcRequestError('WEBRTC_CODEC_NOT_ACCEPTABLE', `cannot ${what} ${m.kind} section ${m.mid ?? '?'}: offered ${m.codecs.map((c) => c.name).join(', ') || 'no codecs'}; we take H.264 (packetization-mode=1), VP8 and VP9 from publishers, and Opus`);
    }
  }
}
