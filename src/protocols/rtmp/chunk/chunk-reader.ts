import { MessageType, type RtmpMessage } from '../message-types.js';
import { ChunkParseError, MessageTooLargeError } from './errors.js';

/** Limits that keep one peer from making us allocate or spin without bound. */
export interface ChunkReaderLimits {
  /** Largest message a peer may declare; the 24-bit field allows 16 MiB - 1. */
  maxMessageSize: number;
  /** Sum of declared lengths of messages being reassembled at once, across chunk streams. */
  maxInFlightBytes: number;
  /** Distinct chunk stream ids a peer may use. */
  maxChunkStreams: number;
}

export const DEFAULT_CHUNK_READER_LIMITS: ChunkReaderLimits = {
  maxMessageSize: 8 * 1024 * 1024,
  maxInFlightBytes: 16 * 1024 * 1024,
  maxChunkStreams: 64,
};

/** The protocol maximum chunk size we accept from a peer (RTMP spec 1.0 §5.4.1 allows 2^31-1; nobody sane needs more than this). */
export const MAX_PEER_CHUNK_SIZE = 16 * 1024 * 1024;
const EXTENDED = 0xffffff;
const HEADER_LENGTH_BY_FMT = [11, 7, 3, 0] as const;
const EMPTY = Buffer.alloc(0);

interface ChunkStreamState {
  readonly csid: number;
  /** Absolute 32-bit timestamp of the message in progress (or the last one). */
  timestamp: number;
  /** The raw timestamp field of the last header: absolute after type 0, a delta after types 1 and 2. */
  timestampField: number;
  /** Whether the last type 0-2 header used an extended timestamp, and its value. */
  extended: boolean;
  extendedValue: number;
  length: number;
  typeId: number;
  streamId: number;
  payload: Buffer | null;
  received: number;
}

/**
 * Reassembles RTMP messages from the chunk stream (RTMP spec 1.0 §5.3). Feed it socket bytes in
 * any split; it applies Set Chunk Size and Abort itself because they change how the very next
 * bytes parse, and hands every complete message to `onMessage`. Throws ChunkParseError or
 * MessageTooLargeError on bytes it cannot accept; after a throw the reader must be discarded.
 */
export class ChunkReader {
  private chunkSize = 128;
  private readonly streams = new Map<number, ChunkStreamState>();
  private pending: Buffer = EMPTY;
  private current: ChunkStreamState | null = null;
  private dataRemaining = 0;
  private inFlight = 0;
  private consumedBefore = 0;

  constructor(
    private readonly onMessage: (message: RtmpMessage) => void,
    private readonly limits: ChunkReaderLimits = DEFAULT_CHUNK_READER_LIMITS,
  ) {}

  /** The peer's current chunk size. */
  get peerChunkSize(): number {
    return this.chunkSize;
  }

  push(data: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    this.pending = EMPTY;
    let pos = 0;
    while (pos < buf.length) {
      const cs = this.current;
      if (cs !== null && this.dataRemaining > 0) {
        const n = Math.min(this.dataRemaining, buf.length - pos);
        buf.copy(cs.payload as Buffer, cs.received, pos, pos + n);
        cs.received += n;
        this.dataRemaining -= n;
        pos += n;
        if (this.dataRemaining === 0) this.endChunk(cs);
        continue;
      }
      const used = this.readHeader(buf, pos);
      if (used < 0) {
        // An incomplete header is at most 18 bytes: copying it is cheap and frees the socket buffer.
        this.pending = Buffer.from(buf.subarray(pos));
        this.consumedBefore += pos;
        return;
      }
      pos += used;
      const started = this.current as ChunkStreamState | null;
      if (started !== null && this.dataRemaining === 0) this.endChunk(started);
    }
    this.consumedBefore += buf.length;
  }

  /** Parses one chunk header at `pos`; returns the bytes it used, or -1 when more bytes are needed. */
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
    const headerLength = HEADER_LENGTH_BY_FMT[fmt as 0 | 1 | 2 | 3];
    if (buf.length - p < headerLength) return -1;
    const cs = this.stateFor(csid, fmt, pos);
    const midMessage = cs.received > 0;
    let timestampField = 0;
    let length = cs.length;
    let typeId = cs.typeId;
    let streamId = cs.streamId;
    if (fmt <= 2) {
      if (midMessage) {
        throw new ChunkParseError(`chunk type ${fmt} on chunk stream ${csid} interrupts a message`, this.offset(pos));
      }
      timestampField = buf.readUIntBE(p, 3);
      if (fmt <= 1) {
        length = buf.readUIntBE(p + 3, 3);
        typeId = buf[p + 6] as number;
      }
      if (fmt === 0) streamId = buf.readUInt32LE(p + 7);
      p += headerLength;
      if (timestampField === EXTENDED) {
        if (buf.length - p < 4) return -1;
        timestampField = buf.readUInt32BE(p);
        p += 4;
        cs.extended = true;
        cs.extendedValue = timestampField;
      } else {
        cs.extended = false;
      }
      cs.streamId = streamId;
    } else if (cs.extended) {
      // Encoders disagree on whether type 3 chunks repeat the extended timestamp: peek and compare.
      if (buf.length - p < 4) return -1;
      if (buf.readUInt32BE(p) === cs.extendedValue) p += 4;
    }

    if (!midMessage) this.beginMessage(cs, fmt, timestampField, length, typeId, pos);
    this.current = cs;
    this.dataRemaining = Math.min(this.chunkSize, cs.length - cs.received);
    return p - pos;
  }

  private stateFor(csid: number, fmt: number, pos: number): ChunkStreamState {
    let cs = this.streams.get(csid);
    if (cs === undefined) {
      if (fmt !== 0) {
        throw new ChunkParseError(`chunk type ${fmt} opens chunk stream ${csid}, which has no type 0 header yet`, this.offset(pos));
      }
      if (this.streams.size >= this.limits.maxChunkStreams) {
        throw new ChunkParseError(`more than ${this.limits.maxChunkStreams} chunk streams`, this.offset(pos));
      }
      cs = { csid, timestamp: 0, timestampField: 0, extended: false, extendedValue: 0, length: 0, typeId: 0, streamId: 0, payload: null, received: 0 };
      this.streams.set(csid, cs);
    }
    return cs;
  }

  private beginMessage(cs: ChunkStreamState, fmt: number, field: number, length: number, typeId: number, pos: number): void {
    if (fmt === 0) {
      cs.timestamp = field;
      cs.timestampField = field;
    } else if (fmt <= 2) {
      cs.timestamp = (cs.timestamp + field) >>> 0;
      cs.timestampField = field;
    } else {
      cs.timestamp = (cs.timestamp + cs.timestampField) >>> 0;
    }
    if (length > this.limits.maxMessageSize) {
      throw new MessageTooLargeError(`message of ${length} bytes exceeds the ${this.limits.maxMessageSize}-byte limit`, this.offset(pos));
    }
    if (this.inFlight + length > this.limits.maxInFlightBytes) {
      throw new MessageTooLargeError(`messages in flight exceed ${this.limits.maxInFlightBytes} bytes`, this.offset(pos));
    }
    cs.length = length;
    cs.typeId = typeId;
    cs.payload = Buffer.allocUnsafe(length);
    cs.received = 0;
    this.inFlight += length;
  }

  private endChunk(cs: ChunkStreamState): void {
    this.current = null;
    if (cs.received < cs.length) return;
    const payload = cs.payload as Buffer;
    cs.payload = null;
    cs.received = 0;
    this.inFlight -= cs.length;
    if (cs.typeId === MessageType.SetChunkSize) this.applyChunkSize(payload);
    else if (cs.typeId === MessageType.Abort) this.applyAbort(payload);
    this.onMessage({ typeId: cs.typeId, timestamp: cs.timestamp, streamId: cs.streamId, chunkStreamId: cs.csid, payload });
  }

  private applyChunkSize(payload: Buffer): void {
    if (payload.length < 4) throw new ChunkParseError('Set Chunk Size message shorter than 4 bytes', this.consumedBefore);
    const size = payload.readUInt32BE(0) & 0x7fffffff;
    if (size < 1 || size > MAX_PEER_CHUNK_SIZE) {
      throw new ChunkParseError(`chunk size ${size} is outside 1..${MAX_PEER_CHUNK_SIZE}`, this.consumedBefore);
    }
    this.chunkSize = size;
  }

  private applyAbort(payload: Buffer): void {
    if (payload.length < 4) throw new ChunkParseError('Abort message shorter than 4 bytes', this.consumedBefore);
    const cs = this.streams.get(payload.readUInt32BE(0));
    if (cs !== undefined && cs.received > 0) {
      this.inFlight -= cs.length;
      cs.payload = null;
      cs.received = 0;
    }
  }

  private offset(pos: number): number {
    return this.consumedBefore + pos;
  }
}
