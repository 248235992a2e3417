import type { RtmpClient, RtmpMessage } from '../../src/protocols/rtmp/index.js';

/**
 * A counting-only data path for an RtmpClient that is already playing. The client does the
 * handshake, connect, createStream and play, and keeps answering pings and acknowledging bytes;
 * from `takeOver` on, audio and video messages are walked chunk by chunk and reported as
 * (type, timestamp, size) without reassembling their payloads. That copy and the garbage it
 * makes are about a quarter of what a player costs the load generator (the rest is the socket
 * reads), and the server cannot tell the difference. Every other message is reassembled and handed back to the client as usual.
 *
 * It reaches into private parts of RtmpConnection and ChunkReader (src/protocols/rtmp) to carry
 * on from the exact chunk state the client's reader stopped in: `takeOver` checks they are
 * still there and throws otherwise (then run the bench with `--player client`).
 */

/** Per chunk stream state; the same shape as ChunkReader's, whose objects are taken over as is. */
interface ChunkStreamState {
  readonly csid: number;
  timestamp: number;
  timestampField: number;
  extended: boolean;
  extendedValue: number;
  length: number;
  typeId: number;
  streamId: number;
  payload: Buffer | null;
  received: number;
}

/** The private fields of ChunkReader we continue from. */
interface ReaderInternals {
  chunkSize: number;
  streams: Map<number, ChunkStreamState>;
  pending: Buffer;
  current: ChunkStreamState | null;
  dataRemaining: number;
}

/** The private members of RtmpConnection we drive. */
interface ConnectionInternals {
  reader: ReaderInternals;
  bytesIn: number;
  acknowledge(): void;
  dispatch(message: RtmpMessage): void;
}

const EXTENDED = 0xffffff;
const HEADER_LENGTH = [11, 7, 3, 0] as const;
const EMPTY = Buffer.alloc(0);
const AUDIO = 8;
const VIDEO = 9;
const SET_CHUNK_SIZE = 1;

/** Called once per complete audio or video message. */
export type MediaCounter = (typeId: number, timestamp: number, size: number) => void;

class LightChunkWalker {
  private chunkSize: number;
  private readonly streams: Map<number, ChunkStreamState>;
  private pending: Buffer;
  private current: ChunkStreamState | null;
  private dataRemaining: number;

  constructor(
    from: ReaderInternals,
    private readonly onMedia: MediaCounter,
    private readonly onOther: (m: RtmpMessage) => void,
  ) {
    this.chunkSize = from.chunkSize;
    this.streams = from.streams;
    this.pending = from.pending;
    this.current = from.current;
    this.dataRemaining = from.dataRemaining;
  }

  push(data: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    this.pending = EMPTY;
    let pos = 0;
    while (pos < buf.length) {
      const cs = this.current;
      if (cs !== null && this.dataRemaining > 0) {
        const n = Math.min(this.dataRemaining, buf.length - pos);
        if (cs.payload !== null) buf.copy(cs.payload, cs.received, pos, pos + n);
        cs.received += n;
        this.dataRemaining -= n;
        pos += n;
        if (this.dataRemaining === 0) this.endChunk(cs);
        continue;
      }
      const used = this.readHeader(buf, pos);
      if (used < 0) {
        this.pending = Buffer.from(buf.subarray(pos));
        return;
      }
      pos += used;
      const started = this.current as ChunkStreamState | null;
      if (started !== null && this.dataRemaining === 0) this.endChunk(started);
    }
  }

  // The same header rules as ChunkReader.readHeader (RTMP spec 1.0 §5.3.1), minus the limits.
  private readHeader(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    const b0 = buf[pos] as number;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let p = pos + 1;
    if (csid === 0) {
      if (avail < 2) return -1;
      csid = 64 + (buf[p] as number);
      p += 1;
    } else if (csid === 1) {
      if (avail < 3) return -1;
      csid = 64 + (buf[p] as number) + (buf[p + 1] as number) * 256;
      p += 2;
    }
    const headerLength = HEADER_LENGTH[fmt as 0 | 1 | 2 | 3];
    if (buf.length - p < headerLength) return -1;
    let cs = this.streams.get(csid);
    if (cs === undefined) {
      if (fmt !== 0) throw new Error(`chunk type ${fmt} opens chunk stream ${csid}`);
      cs = { csid, timestamp: 0, timestampField: 0, extended: false, extendedValue: 0, length: 0, typeId: 0, streamId: 0, payload: null, received: 0 };
      this.streams.set(csid, cs);
    }
    const midMessage = cs.received > 0;
    let field = 0;
    if (fmt <= 2) {
      if (midMessage) throw new Error(`chunk type ${fmt} interrupts a message on chunk stream ${csid}`);
      field = buf.readUIntBE(p, 3);
      if (fmt <= 1) {
        cs.length = buf.readUIntBE(p + 3, 3);
        cs.typeId = buf[p + 6] as number;
      }
      if (fmt === 0) cs.streamId = buf.readUInt32LE(p + 7);
      p += headerLength;
      if (field === EXTENDED) {
        if (buf.length - p < 4) return -1;
        field = buf.readUInt32BE(p);
        p += 4;
        cs.extended = true;
        cs.extendedValue = field;
      } else {
        cs.extended = false;
      }
    } else if (cs.extended) {
      if (buf.length - p < 4) return -1;
      if (buf.readUInt32BE(p) === cs.extendedValue) p += 4;
    }
    if (!midMessage) {
      if (fmt === 0) cs.timestamp = field;
      else if (fmt <= 2) cs.timestamp = (cs.timestamp + field) >>> 0;
      else cs.timestamp = (cs.timestamp + cs.timestampField) >>> 0;
      if (fmt <= 2) cs.timestampField = field;
      const media = cs.typeId === AUDIO || cs.typeId === VIDEO;
      // Media is only counted: no payload buffer, its bytes are skipped.
      cs.payload = media ? null : Buffer.allocUnsafe(cs.length);
      cs.received = 0;
    }
    this.current = cs;
    this.dataRemaining = Math.min(this.chunkSize, cs.length - cs.received);
    return p - pos;
  }

  private endChunk(cs: ChunkStreamState): void {
    this.current = null;
    if (cs.received < cs.length) return;
    const payload = cs.payload;
    cs.payload = null;
    cs.received = 0;
    if (cs.typeId === AUDIO || cs.typeId === VIDEO) {
      if (payload === null) this.onMedia(cs.typeId, cs.timestamp, cs.length);
      else this.onOther({ typeId: cs.typeId, timestamp: cs.timestamp, streamId: cs.streamId, chunkStreamId: cs.csid, payload });
      return;
    }
    const body = payload ?? EMPTY;
    if (cs.typeId === SET_CHUNK_SIZE && body.length >= 4) this.chunkSize = body.readUInt32BE(0) & 0x7fffffff;
    this.onOther({ typeId: cs.typeId, timestamp: cs.timestamp, streamId: cs.streamId, chunkStreamId: cs.csid, payload: body });
  }
}

/**
 * Switches a playing client to the counting-only path: `onMedia` gets every audio and video
 * message from now on (a message already half reassembled by the client is finished the usual
 * way and reported through `onMedia` too).
 */
export function takeOver(client: RtmpClient, onMedia: MediaCounter): void {
  const c = client as unknown as ConnectionInternals;
  const r = c.reader as ReaderInternals | undefined;
  const ok =
    r !== undefined && typeof r.chunkSize === 'number' && r.streams instanceof Map && Buffer.isBuffer(r.pending) && typeof r.dataRemaining === 'number' &&
    typeof c.bytesIn === 'number' && typeof c.acknowledge === 'function' && typeof c.dispatch === 'function';
  if (!ok) throw new Error('RtmpClient/ChunkReader internals changed: update bench/lib/light-reader.ts or run with --player client');
  const dispatch = c.dispatch.bind(c);
  const walker = new LightChunkWalker(r, onMedia, (m) => {
    if (m.typeId === AUDIO || m.typeId === VIDEO) onMedia(m.typeId, m.timestamp, m.payload.length);
    else dispatch(m);
  });
  const socket = client.socket;
  socket.removeAllListeners('data');
  socket.on('data', (data: Buffer) => {
    c.bytesIn += data.length;
    try {
      walker.push(data);
    } catch (err) {
      client.abort(err as Error);
      return;
    }
    c.acknowledge();
  });
}
