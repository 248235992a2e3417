/** RTMP message type ids (RTMP spec 1.0 §5.4, §7.1). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

/** User control event types (RTMP spec 1.0 §7.1.7). */
export const UserControlEvent = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** Chunk stream ids we send on; players sharing them lets one chunk encoding serve them all. */
export const ChunkStreamId = {
  Control: 2,
  Command: 3,
  Audio: 4,
  Data: 5,
  Video: 6,
} as const;

/** One complete RTMP message as reassembled from its chunks. */
export interface RtmpMessage {
  readonly typeId: number;
  /** The 32-bit message timestamp (wraps after ~49.7 days; sessions unwrap it). */
  readonly timestamp: number;
  readonly streamId: number;
  readonly chunkStreamId: number;
  readonly payload: Buffer;
}
