import { encodeAmf0, type AmfObject, type AmfValue } from './amf/index.js';
import { encodeChunks } from './chunk/index.js';
import { ChunkStreamId, MessageType } from './message-types.js';

/** An AMF0 command message (`_result`, `onStatus`, `connect`...) ready to write. */
export function commandMessage(name: string, transactionId: number, commandObject: AmfValue, args: readonly AmfValue[], streamId: number, chunkSize: number): Buffer {
  const payload = encodeAmf0([name, transactionId, commandObject, ...args]);
  return encodeChunks(ChunkStreamId.Command, MessageType.CommandAmf0, 0, streamId, payload, chunkSize);
}

/** An AMF0 data message (`|RtmpSampleAccess`, `onMetaData`...). */
export function dataMessage(values: readonly AmfValue[], streamId: number, chunkSize: number, timestamp = 0): Buffer {
  return encodeChunks(ChunkStreamId.Data, MessageType.DataAmf0, timestamp, streamId, encodeAmf0(values), chunkSize);
}

/** The info object of an onStatus / _result status (NetConnection.* and NetStream.* codes). */
export function statusInfo(level: 'status' | 'error' | 'warning', code: string, description: string, extra: AmfObject = {}): AmfObject {
  return { level, code, description, ...extra };
}

/** onStatus on a message stream, the way servers tell a NetStream what happened. */
export function onStatusMessage(level: 'status' | 'error' | 'warning', code: string, description: string, streamId: number, chunkSize: number, extra: AmfObject = {}): Buffer {
  return commandMessage('onStatus', 0, null, [statusInfo(level, code, description, extra)], streamId, chunkSize);
}

/** A decoded command: name, transaction id, command object and the remaining arguments. */
export interface RtmpCommand {
  name: string;
  transactionId: number;
  commandObject: AmfValue;
  args: AmfValue[];
}

/** Splits decoded AMF values into a command; undefined when the first value is not a name. */
export function toCommand(values: readonly AmfValue[]): RtmpCommand | undefined {
  const [name, txn, obj, ...args] = values;
  if (typeof name !== 'string') return undefined;
  return { name, transactionId: typeof txn === 'number' ? txn : 0, commandObject: obj ?? null, args };
}
