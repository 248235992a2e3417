import type { Logger } from '../../base/index.js';
import type { Stream } from '../../hub/index.js';
import { FlvUnsupportedCodecError, parseFlvAudioBody, parseFlvVideoBody } from '../../media/index.js';
import { amfToPlain, encodeAmf0, type AmfValue } from './amf/index.js';
import { MessageType, type RtmpMessage } from './message-types.js';
import { TimestampUnwrapper } from './timestamp-unwrapper.js';

/** Data messages that only matter to Flash players' security model, not to viewers. */
const DROPPED_DATA = new Set(['|RtmpSampleAccess']);

/** Maps one RTMP publisher's media and data messages onto its hub Stream. */
export class RtmpPublishing {
  private readonly videoClock = new TimestampUnwrapper();
  private readonly audioClock = new TimestampUnwrapper();
  private readonly refusedCodecs = new Set<string>();

  constructor(
    readonly stream: Stream,
    readonly messageStreamId: number,
    private readonly log: Logger,
  ) {}

  /** Audio (8) and video (9) messages; throws ParseError on a malformed body. */
  onMedia(message: RtmpMessage): void {
    const video = message.typeId === MessageType.Video;
    if (message.payload.length === 0) return;
    const clock = video ? this.videoClock : this.audioClock;
    const dts = this.stream.timeline.map(clock.unwrap(message.timestamp));
    try {
      const frame = video ? parseFlvVideoBody(message.payload, dts) : parseFlvAudioBody(message.payload, dts);
      if (frame !== null) this.stream.push(frame);
    } catch (err) {
      if (!(err instanceof FlvUnsupportedCodecError)) throw err;
      // One unplayable track (e.g. Speex audio) should not take the other one down with it.
      if (!this.refusedCodecs.has(err.message)) {
        this.refusedCodecs.add(err.message);
        this.log.warn({ stream_id: this.stream.id, err: err.message }, 'dropping a track in a codec we do not carry');
      }
    }
  }

  /** Data messages: onMetaData (with or without @setDataFrame), cue points and text data. */
  onData(values: AmfValue[]): void {
    const rest = values[0] === '@setDataFrame' ? values.slice(1) : values;
    const name = rest[0];
    if (typeof name !== 'string' || DROPPED_DATA.has(name)) return;
    if (name === 'onMetaData') {
      const plain = amfToPlain(rest[1] ?? null);
      if (plain !== null && typeof plain === 'object' && !Array.isArray(plain)) this.stream.metadata = plain as Record<string, unknown>;
    }
    this.stream.push({ kind: 'metadata', dts: this.stream.timeline.current, amf0: encodeAmf0(rest) });
  }

}
