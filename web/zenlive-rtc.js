// ZenLive rooms: the browser side of `/ws/rtc` (protocol v1, documented in the README).
// Load it as a module: `import { ZenLiveRoom } from '/rtc/zenlive-rtc.js'`.

const VERSION = 1;
/** Subscriptions that ended for these reasons are made again, up to MAX_RETRIES times per participant. */
const RETRY_REASONS = new Set(['ice-failed', 'connect-timeout', 'negotiation-failed']);
const MAX_RETRIES = 3;

/** Simulcast layers we ask the browser's encoder for, lowest first (the server ranks them in this order). */
const DEFAULT_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

function gathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const done = () => pc.iceGatheringState === 'complete' && resolve();
    pc.addEventListener('icegatheringstatechange', done);
    // the answer carries every candidate we found by then; a slow STUN server must not hold the call up
    setTimeout(resolve, 3000);
  });
}

/**
 * One participant in one room. Events (addEventListener): `participantJoined`, `participantLeft`,
 * `tracks`, `track` ({participantId, subscription, stream}), `subscriptionEnded`, `activeSpeaker`,
 * `audioLevels`, `layer`, `error`, `closed`; each event's `detail` is the server frame.
 */
export class ZenLiveRoom extends EventTarget {
  /**
   * @param {string} url ws(s)://host/ws/rtc
   * @param {{token?: string, autoSubscribe?: boolean, maxHeight?: number, iceServers?: RTCIceServer[]}} options
   */
  constructor(url, options = {}) {
    super();
    this.url = options.token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(options.token)}` : url;
    this.autoSubscribe = options.autoSubscribe !== false;
    this.maxHeight = options.maxHeight;
    this.iceServers = options.iceServers;
    this.participants = new Map();
    this.subscriptions = new Map();
    // participants being subscribed to: a `tracks` frame may arrive before our subscribe is answered
    this.subscribing = new Set();
    this.retries = new Map();
    this.publisher = undefined;
    this.me = undefined;
    this.pending = new Map();
    this.nextRef = 1;
    this.ws = undefined;
  }

  /** Opens the socket and joins `room`; resolves with the server's `joined` frame. */
  async join(room, { name } = {}) {
    this.ws = new WebSocket(this.url);
    await new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error('signaling socket failed'));
    });
    this.ws.onmessage = (e) => this.onFrame(JSON.parse(e.data));
    this.ws.onclose = (e) => {
      for (const { reject } of this.pending.values()) reject(new Error(`signaling closed (${e.code} ${e.reason})`));
      this.pending.clear();
      this.emit('closed', { code: e.code, reason: e.reason });
    };
    const joined = await this.request({ type: 'join', room, ...(name ? { name } : {}) });
    this.me = joined.participant;
    this.iceServers ??= joined.iceServers;
    for (const p of joined.participants) {
      this.participants.set(p.id, p);
      if (this.autoSubscribe && p.tracks.length > 0) this.subscribe(p.id).catch((err) => this.emit('error', { message: err.message }));
    }
    return joined;
  }

  /**
   * Publishes a MediaStream's first audio and video track. `simulcast: true` sends the video in
   * three layers (or `layers`, lowest first); resolves once the server has answered.
   */
  async publish(stream, { simulcast = false, layers = DEFAULT_LAYERS } = {}) {
    this.publisher?.close();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers ?? [] });
    this.publisher = pc;
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    if (video) pc.addTransceiver(video, { direction: 'sendonly', ...(simulcast ? { sendEncodings: layers.map((l) => ({ ...l })) } : {}) });
    if (audio) pc.addTransceiver(audio, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await this.request({ type: 'publish', sdp: pc.localDescription.sdp });
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    return pc;
  }

  async unpublish() {
    this.publisher?.close();
    this.publisher = undefined;
    await this.request({ type: 'unpublish' });
  }

  /** Receives one participant; resolves with {subscription, stream, pc} once the media is negotiated. */
  async subscribe(participantId, { maxHeight = this.maxHeight } = {}) {
    this.subscribing.add(participantId);
    try {
      return await this.negotiateSubscription(participantId, maxHeight);
    } finally {
      this.subscribing.delete(participantId);
    }
  }

  async negotiateSubscription(participantId, maxHeight) {
    const offer = await this.request({ type: 'subscribe', participant: participantId, ...(maxHeight !== undefined ? { maxHeight } : {}) });
    const pc = new RTCPeerConnection({ iceServers: this.iceServers ?? [] });
    const stream = new MediaStream();
    const entry = { subscription: offer.subscription, participantId, stream, pc };
    this.subscriptions.set(offer.subscription, entry);
    pc.ontrack = (e) => {
      stream.addTrack(e.track);
      this.emit('track', { participantId, subscription: offer.subscription, stream, kind: e.track.kind });
    };
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await this.request({ type: 'answer', subscription: offer.subscription, sdp: pc.localDescription.sdp });
    return entry;
  }

  async unsubscribe(subscription) {
    this.subscriptions.get(subscription)?.pc.close();
    this.subscriptions.delete(subscription);
    await this.request({ type: 'unsubscribe', subscription });
  }

  /** Caps the video height of one subscription (0 pauses its video); the server picks the layer. */
  setVideo(subscription, maxHeight) {
    return this.request({ type: 'setVideo', subscription, maxHeight });
  }

  /** Tells the room a track is muted; mute the track itself too (track.enabled = false). */
  mute(kind, muted) {
    return this.request({ type: 'mute', kind, muted });
  }

  async leave() {
    try {
      await this.request({ type: 'leave' });
    } finally {
      this.close();
    }
  }

  close() {
    this.publisher?.close();
    for (const s of this.subscriptions.values()) s.pc.close();
    this.subscriptions.clear();
    this.ws?.close();
  }

  request(frame) {
    const ref = String(this.nextRef++);
    return new Promise((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
      this.ws.send(JSON.stringify({ v: VERSION, ...frame, ref }));
    });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  onFrame(frame) {
    const waiting = frame.ref !== undefined ? this.pending.get(frame.ref) : undefined;
    if (waiting) {
      this.pending.delete(frame.ref);
      if (frame.type === 'error') waiting.reject(Object.assign(new Error(frame.message), { code: frame.code }));
      else waiting.resolve(frame);
      return;
    }
    switch (frame.type) {
      case 'participantJoined':
        this.participants.set(frame.participant.id, frame.participant);
        break;
      case 'participantLeft':
        this.participants.delete(frame.participantId);
        for (const [id, s] of this.subscriptions) {
          if (s.participantId !== frame.participantId) continue;
          s.pc.close();
          this.subscriptions.delete(id);
        }
        break;
      case 'tracks': {
        const p = this.participants.get(frame.participantId);
        if (p) p.tracks = frame.tracks;
        const watching = this.subscribing.has(frame.participantId) || [...this.subscriptions.values()].some((s) => s.participantId === frame.participantId);
        if (this.autoSubscribe && p && frame.tracks.length > 0 && !watching && frame.participantId !== this.me?.id) {
          this.subscribe(frame.participantId).catch((err) => this.emit('error', { message: err.message }));
        }
        break;
      }
      case 'subscriptionEnded': {
        const ended = this.subscriptions.get(frame.subscription);
        ended?.pc.close();
        this.subscriptions.delete(frame.subscription);
        // a peer that failed to connect is tried again while its participant still publishes
        const p = ended ? this.participants.get(ended.participantId) : undefined;
        const retries = (this.retries.get(ended?.participantId) ?? 0) + 1;
        if (this.autoSubscribe && p && p.tracks.length > 0 && RETRY_REASONS.has(frame.reason) && retries <= MAX_RETRIES) {
          this.retries.set(p.id, retries);
          setTimeout(() => {
            if (!this.participants.has(p.id) || this.subscribing.has(p.id)) return;
            this.subscribe(p.id).catch((err) => this.emit('error', { message: err.message }));
          }, 1000 * retries);
        }
        break;
      }
      default:
        break;
    }
    this.emit(frame.type, frame);
  }
}
