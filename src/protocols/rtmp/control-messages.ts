import { encodeChunks } from './chunk/index.js';
import { ChunkStreamId, MessageType, UserControlEvent } from './message-types.js';

function u32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

function control(typeId: number, payload: Buffer): Buffer {
  // Protocol control messages always travel on chunk stream 2, message stream 0 (RTMP spec 1.0 §5.4).
  return encodeChunks(ChunkStreamId.Control, typeId, 0, 0, payload, 128);
}

export function setChunkSizeMessage(size: number): Buffer {
  return control(MessageType.SetChunkSize, u32(size & 0x7fffffff));
}

export function windowAckSizeMessage(size: number): Buffer {
  return control(MessageType.WindowAckSize, u32(size));
}

export function acknowledgementMessage(sequence: number): Buffer {
  return control(MessageType.Acknowledgement, u32(sequence));
}

/** Set Peer Bandwidth with limit type 2 (dynamic), as servers commonly send. */
export function setPeerBandwidthMessage(size: number): Buffer {
  const b = Buffer.allocUnsafe(5);
  b.writeUInt32BE(size >>> 0);
  b[4] = 2;
  return control(MessageType.SetPeerBandwidth, b);
}

export function userControlMessage(event: number, value: number): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeUInt16BE(event);
  b.writeUInt32BE(value >>> 0, 2);
  return control(MessageType.UserControl, b);
}

export const streamBegin = (streamId: number): Buffer => userControlMessage(UserControlEvent.StreamBegin, streamId);
export const streamEof = (streamId: number): Buffer => userControlMessage(UserControlEvent.StreamEof, streamId);
export const pingResponse = (timestamp: number): Buffer => userControlMessage(UserControlEvent.PingResponse, timestamp);
export const pingRequest = (timestamp: number): Buffer => userControlMessage(UserControlEvent.PingRequest, timestamp);
