import { ParseError } from '../../base/index.js';
import { FLV_TAG_HEADER_SIZE } from './tag.js';

/** The FLV file header (§E.2). */
export interface FlvFileHeader {
  version: number;
  audio: boolean;
  video: boolean;
}

/** One FLV tag as read back from a stream. */
export interface FlvTag {
  /** TagType (8 audio, 9 video, 18 script data). */
  type: number;
  /** Milliseconds, TimestampExtended applied (32 bits). */
  timestamp: number;
  streamId: number;
  /** The tag body, a view on the pushed bytes when it did not span chunks. */
  body: Buffer;
  /** Byte offset of the tag header in the stream. */
  offset: number;
}

/** Limits for the demuxer. */
export interface FlvDemuxerOptions {
  /** Largest tag body accepted; default 16 MiB (the 24-bit DataSize limit). */
  maxTagSize?: number;
  /** Require each PreviousTagSize to match the tag before it; default true. */
  checkPreviousTagSize?: boolean;
}

type State = 'header' | 'header-rest' | 'tag-header' | 'tag-body';
const MAX_HEADER_SIZE = 1024;

/**
 * An incremental FLV reader: push bytes as they arrive, get whole tags out. Used by tests and
 * the WS-FLV test client to read back what the server sends. After a ParseError it stays failed.
 */
export class FlvDemuxer {
  /** Set once the file header has been read. */
  header: FlvFileHeader | undefined;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private consumed = 0;
  private state: State = 'header';
  private need = 9;
  private pending: Omit<FlvTag, 'body'> | undefined;
  private failure: ParseError | undefined;
  private readonly maxTagSize: number;
  private readonly checkPrevious: boolean;

  constructor(options: FlvDemuxerOptions = {}) {
    this.maxTagSize = options.maxTagSize ?? 16 * 1024 * 1024;
    this.checkPrevious = options.checkPreviousTagSize ?? true;
  }

  /** Bytes received but not yet part of a returned tag. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds bytes and returns every tag they complete. */
  push(chunk: Buffer): FlvTag[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const tags: FlvTag[] = [];
    try {
      while (this.buffered >= this.need) {
        const at = this.consumed;
        const tag = this.step(this.take(this.need), at);
        if (tag) tags.push(tag);
      }
    } catch (err) {
      if (err instanceof ParseError) this.failure = err;
      throw err;
    }
    return tags;
  }

  /** Declares the end of the stream: a partial header or tag left over (or no header at all) is a ParseError. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.buffered > 0 || this.state !== 'tag-header') {
      this.failure = new ParseError(`stream ended inside the FLV ${this.state}`, this.consumed);
      throw this.failure;
    }
  }

  private step(bytes: Buffer, at: number): FlvTag | undefined {
    switch (this.state) {
      case 'header': {
        if (bytes.toString('latin1', 0, 3) !== 'FLV') throw new ParseError('missing FLV signature', at);
        const flags = bytes.readUInt8(4);
        this.header = { version: bytes.readUInt8(3), audio: (flags & 0x04) !== 0, video: (flags & 0x01) !== 0 };
        const dataOffset = bytes.readUInt32BE(5);
        if (dataOffset < 9 || dataOffset > MAX_HEADER_SIZE) {
          throw new ParseError(`FLV DataOffset ${dataOffset} out of range`, at + 5);
        }
        // skip any header extension, then PreviousTagSize0
        this.expect('header-rest', dataOffset - 9 + 4);
        return undefined;
      }
      case 'header-rest': {
        const previous = bytes.readUInt32BE(bytes.length - 4);
        if (this.checkPrevious && previous !== 0) {
          throw new ParseError(`PreviousTagSize0 is ${previous}, expected 0`, at + bytes.length - 4);
        }
        this.expect('tag-header', FLV_TAG_HEADER_SIZE);
        return undefined;
      }
      case 'tag-header': {
        const size = bytes.readUIntBE(1, 3);
        if (size > this.maxTagSize) throw new ParseError(`FLV tag of ${size} bytes exceeds the limit`, at + 1);
        this.pending = {
          // the top 3 bits are reserved and the Filter flag (encryption), the type is the low 5
          type: bytes.readUInt8(0) & 0x1f,
          timestamp: bytes.readUIntBE(4, 3) + bytes.readUInt8(7) * 0x1000000,
          streamId: bytes.readUIntBE(8, 3),
          offset: at,
        };
        this.expect('tag-body', size + 4);
        return undefined;
      }
      case 'tag-body': {
        const size = bytes.length - 4;
        const previous = bytes.readUInt32BE(size);
        if (this.checkPrevious && previous !== size + FLV_TAG_HEADER_SIZE) {
          throw new ParseError(`PreviousTagSize ${previous}, expected ${size + FLV_TAG_HEADER_SIZE}`, at + size);
        }
        const head = this.pending;
        this.pending = undefined;
        this.expect('tag-header', FLV_TAG_HEADER_SIZE);
        return head && { ...head, body: bytes.subarray(0, size) };
      }
    }
  }

  private expect(state: State, need: number): void {
    this.state = state;
    this.need = need;
  }

  /** Removes n buffered bytes (n <= buffered), copying only when they span chunks. */
  private take(n: number): Buffer {
    this.buffered -= n;
    this.consumed += n;
    const head = this.chunks[0];
    if (head && head.length >= n) {
      if (head.length === n) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
      return head.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      if (!chunk) break;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}
