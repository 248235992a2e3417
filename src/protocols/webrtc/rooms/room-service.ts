import type { Logger } from '../../../base/index.js';
import { WebRtcRequestError } from '../errors.js';
import { iceServersFor } from '../ice-servers.js';
import type { IceServerOptions, TurnSecretOptions } from '../options.js';
import type { PeerNetworkOptions } from '../peer-factory.js';
import type { PeerResourceSettings } from '../peer-resource.js';
import { parseSdpOffer, restrictOffer } from '../sdp-offer.js';
import { RoomError } from './errors.js';
import { Participant } from './participant.js';
import type { RtcClientFrame } from './protocol.js';
import { planRoomPublish } from './room-codecs.js';
import { createRoomPublisherPeer, createRoomSubscriberPeer } from './room-peer.js';
import { RoomPublisher, simulcastRids } from './room-publisher.js';
import { NativeRoomSubscription } from './native-room-subscription.js';
import { RoomSubscription, type RoomSubscriptionPeer } from './room-subscription.js';
import type { ConnectionState, RoomAction, RoomHost, RoomSnapshot } from './room-host.js';
import { Room } from './room.js';

export interface RoomServiceOptions {
  logger: Logger;
  network: PeerNetworkOptions;
  settings: PeerResourceSettings;
  stunServers: string[];
  turnServers: IceServerOptions[];
  turnSecret?: TurnSecretOptions;
  /** Participants per room; one more is refused with ROOM_FULL. */
  maxParticipants: number;
  /** Most a publisher may send, all simulcast layers together (told to it by REMB). */
  maxPublishBitrateBps: number;
  /** The stack subscribers receive on: libdatachannel (native threads) or werift. */
  subscriberTransport?: 'native' | 'werift';
  /** Whether the connection (its identity; undefined: anonymous) may do `action` in room `roomId`. */
  authorize(connection: ConnectionState, action: RoomAction, roomId: string): boolean;
}

/**
 * Rooms for calls: each participant publishes at most one audio and one video track (video in up
 * to three simulcast layers) on its own peer, and receives each other participant on one peer per
 * publisher, offered by us. Signaling arrives through `handle()`; frames go back through each
 * participant's sender.
 */
export class RoomService implements RoomHost {
  private readonly rooms = new Map<string, Room>();
  private readonly log: Logger;

  constructor(private readonly options: RoomServiceOptions) {
    this.log = options.logger.child({ component: 'rooms' });
  }

  /** Rooms with at least one participant. */
  list(): RoomSnapshot[] {
    return [...this.rooms.keys()].map((id) => this.snapshot(id)).filter((r): r is RoomSnapshot => r !== undefined);
  }

  snapshot(roomId: string): RoomSnapshot | undefined {
    const room = this.rooms.get(roomId);
    if (room === undefined) return undefined;
    return {
      id: room.id,
      participants: [...room.participants.values()].map((p) => ({
        id: p.id,
        name: p.name,
        userId: p.identity.userId,
        tracks: p.tracks(),
        layers: p.publisher?.video?.status() ?? [],
        subscriptions: [...p.subscriptions.values()].map((s) => s.stats()),
      })),
    };
  }

  /** Handles one frame of a signaling connection; `state` is that connection's participant slot. */
  async handle(state: ConnectionState, frame: RtcClientFrame): Promise<void> {
    if (frame.type === 'join') return this.join(state, frame.room, frame.name, frame.ref);
    const p = state.participant;
    if (p === undefined) throw new RoomError('ROOM_NOT_JOINED', 'join a room first');
    const room = this.rooms.get(p.roomId);
    if (room === undefined) throw new RoomError('ROOM_NOT_JOINED', 'join a room first');
    const ack = (): void => p.send({ type: 'ack', ...(frame.ref !== undefined ? { ref: frame.ref } : {}) });
    switch (frame.type) {
      case 'publish':
        return this.publish(room, p, frame.sdp, frame.ref, state);
      case 'unpublish':
        p.publisher?.end('deleted');
        return ack();
      case 'subscribe':
        return this.subscribe(room, p, frame.participant, frame.maxHeight, frame.ref, state);
      case 'answer': {
        const sub = this.subscription(p, frame.subscription);
        await sub.acceptAnswer(frame.sdp).catch((err: unknown) => {
          throw new RoomError('ROOM_BAD_SDP', err instanceof Error ? err.message : 'the answer could not be applied');
        });
        return ack();
      }
      case 'unsubscribe':
        this.subscription(p, frame.subscription).end('deleted');
        return ack();
      case 'setVideo':
        this.subscription(p, frame.subscription).setMaxHeight(frame.maxHeight);
        return ack();
      case 'mute':
        p.muted[frame.kind] = frame.muted;
        room.broadcast({ type: 'tracks', participantId: p.id, tracks: p.tracks() });
        return ack();
      case 'leave':
        this.leave(state);
        return ack();
    }
  }

  /** The signaling socket closed: the participant leaves. */
  disconnected(state: ConnectionState): void {
    this.leave(state);
  }

  close(): void {
    for (const room of this.rooms.values()) {
      for (const p of room.participants.values()) p.close();
      room.close();
    }
    this.rooms.clear();
  }

  private join(state: ConnectionState, roomId: string, name: string | undefined, ref: string | undefined): void {
    if (state.participant !== undefined) throw new RoomError('ROOM_ALREADY_JOINED', `already in room ${state.participant.roomId}; leave first`);
    this.require(state, 'join', roomId);
    let room = this.rooms.get(roomId);
    if (room !== undefined && room.participants.size >= this.options.maxParticipants) throw new RoomError('ROOM_FULL', `room ${roomId} has ${this.options.maxParticipants} participants`);
    if (room === undefined) {
      room = new Room(roomId);
      this.rooms.set(roomId, room);
    }
    const identity = state.identity ?? { userId: `anonymous-${state.connectionId}`, name: 'anonymous', role: 'anonymous' };
    const p = new Participant(roomId, identity, name ?? identity.name, state.send);
    const others = [...room.participants.values()].map((o) => o.info());
    room.add(p);
    state.participant = p;
    const iceServers = iceServersFor({ stunServers: this.options.stunServers, turnServers: this.options.turnServers, ...(this.options.turnSecret !== undefined ? { turnSecret: this.options.turnSecret } : {}) }, identity.userId);
    p.send({ type: 'joined', room: roomId, participant: p.info(), participants: others, iceServers, ...(ref !== undefined ? { ref } : {}) });
    room.broadcast({ type: 'participantJoined', participant: p.info() }, p);
    this.log.info({ room: roomId, participant: p.id, user: identity.userId }, 'participant joined');
  }

  private leave(state: ConnectionState): void {
    const p = state.participant;
    if (p === undefined) return;
    state.participant = undefined;
    const room = this.rooms.get(p.roomId);
    p.close();
    if (room === undefined) return;
    room.remove(p);
    room.broadcast({ type: 'participantLeft', participantId: p.id });
    if (room.empty) this.rooms.delete(room.id);
    this.log.info({ room: p.roomId, participant: p.id }, 'participant left');
  }

  private async publish(room: Room, p: Participant, sdp: string, ref: string | undefined, state: ConnectionState): Promise<void> {
    this.require(state, 'publish', room.id);
    const media = parseOffer(sdp);
    const plan = planRoomPublish(media);
    for (const m of media.filter((x) => x.kind === 'audio' || x.kind === 'video')) {
      const chosen = m.kind === 'video' ? plan.video : plan.audio;
      if (chosen === undefined || chosen.mid !== m.mid) {
        throw new RoomError('ROOM_CODEC_NOT_ACCEPTABLE', `cannot take ${m.kind} section ${m.mid ?? '?'}: offered ${m.codecs.map((c) => c.name).join(', ') || 'no codecs'}; rooms take VP8, H.264 (packetization-mode=1), VP9 and Opus`);
      }
    }
    if (plan.video === undefined && plan.audio === undefined) throw new RoomError('ROOM_BAD_SDP', 'the offer has no audio or video section');
    // a new publish replaces the old one; its subscribers are told their subscription ended
    p.publisher?.end('deleted');
    const rids = plan.video !== undefined ? simulcastRids(sdp, plan.video.mid) : [];
    const pc = createRoomPublisherPeer({ ...(plan.video !== undefined ? { video: plan.video.codec } : {}), ...(plan.audio !== undefined ? { audio: plan.audio.codec } : {}) }, this.options.network, this.agentIceServers());
    const publisher = new RoomPublisher(
      pc,
      plan,
      rids,
      (level, now) => room.audioLevel(p.id, level, now),
      () => room.broadcast({ type: 'tracks', participantId: p.id, tracks: p.tracks() }),
      this.options.maxPublishBitrateBps,
      this.log.child({ room: room.id, participant: p.id }),
      this.options.settings,
    );
    p.publisher = publisher;
    publisher.onceEnded(() => {
      if (p.publisher !== publisher) return;
      p.publisher = undefined;
      if (room.participants.has(p.id)) room.broadcast({ type: 'tracks', participantId: p.id, tracks: [] });
    });
    let answer: string;
    try {
      answer = await publisher.answer(restrictOffer(sdp, plan.keep));
    } catch (err) {
      publisher.end('negotiation-failed');
      throw new RoomError('ROOM_BAD_SDP', `the offer could not be negotiated: ${(err as Error).message}`, { cause: err });
    }
    p.send({ type: 'publishAnswer', sdp: answer, ...(ref !== undefined ? { ref } : {}) });
    this.log.info({ room: room.id, participant: p.id, video: plan.video?.codec.name, layers: rids, audio: plan.audio !== undefined }, 'participant publishing');
  }

  private async subscribe(room: Room, p: Participant, targetId: string, maxHeight: number | undefined, ref: string | undefined, state: ConnectionState): Promise<void> {
    this.require(state, 'subscribe', room.id);
    const target = room.participants.get(targetId);
    if (target === undefined) throw new RoomError('ROOM_PARTICIPANT_NOT_FOUND', `no participant ${targetId} in room ${room.id}`);
    const publisher = target.publisher;
    if (publisher === undefined || publisher.closed) throw new RoomError('ROOM_NOTHING_PUBLISHED', `participant ${targetId} publishes nothing`);
    const codecs = { ...(publisher.video !== undefined ? { video: publisher.video.codec } : {}), ...(publisher.audio !== undefined ? { audio: publisher.audio.codec } : {}) };
    const options = { ...(maxHeight !== undefined ? { maxHeight } : {}), onLayer: (layer: number, rid: string | null) => p.send({ type: 'layer', subscription: sub.id, layer, rid }) };
    const log = this.log.child({ room: room.id, participant: p.id, publisher: target.id });
    const sub: RoomSubscriptionPeer =
      this.options.subscriberTransport === 'native'
        ? new NativeRoomSubscription(target.id, publisher.video, publisher.audio, options, log, this.options.settings, this.options.network, this.agentIceServers())
        : new RoomSubscription(createRoomSubscriberPeer(codecs, this.options.network, this.agentIceServers()), target.id, publisher.video, publisher.audio, options, log, this.options.settings);
    p.subscriptions.set(sub.id, sub);
    sub.onceEnded((reason) => {
      p.subscriptions.delete(sub.id);
      if (room.participants.has(p.id)) p.send({ type: 'subscriptionEnded', subscription: sub.id, reason });
    });
    publisher.onceEnded(() => sub.end('stream-ended'));
    let offer: string;
    try {
      offer = await sub.offer();
    } catch (err) {
      sub.end('negotiation-failed');
      throw new RoomError('ROOM_BAD_SDP', `could not make an offer: ${(err as Error).message}`, { cause: err });
    }
    p.send({ type: 'subscribeOffer', subscription: sub.id, participantId: target.id, sdp: offer, ...(ref !== undefined ? { ref } : {}) });
  }

  private subscription(p: Participant, id: string): RoomSubscriptionPeer {
    const sub = p.subscriptions.get(id);
    if (sub === undefined) throw new RoomError('ROOM_SUBSCRIPTION_NOT_FOUND', `no subscription ${id}`);
    return sub;
  }

  private require(state: ConnectionState, action: RoomAction, roomId: string): void {
    if (this.options.authorize(state, action, roomId)) return;
    throw new RoomError(state.identity === undefined ? 'ROOM_UNAUTHORIZED' : 'ROOM_FORBIDDEN', `not allowed to ${action} in room ${roomId}`);
  }

  private agentIceServers(): IceServerOptions[] {
    return this.options.stunServers.length > 0 ? [{ urls: [...this.options.stunServers] }] : [];
  }
}


function parseOffer(sdp: string): ReturnType<typeof parseSdpOffer> {
  try {
    return parseSdpOffer(sdp);
  } catch (err) {
    if (err instanceof WebRtcRequestError) throw new RoomError('ROOM_BAD_SDP', err.message, { cause: err });
    throw err;
  }
}
