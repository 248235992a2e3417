import { ChatProtocolError } from './errors.js';

/** The protocol version every frame carries in `v`. */
export const PROTOCOL_VERSION = 1;

/** What a client may send (v1). `ref` is echoed in the ack or error that answers the frame. */
export type ClientCommand =
  | { type: 'auth'; token: string; ref?: string }
  | { type: 'join'; room: string; ref?: string }
  | { type: 'leave'; room: string; ref?: string }
  | { type: 'message'; room: string; content: string; ref?: string }
  | { type: 'reply'; room: string; content: string; replyTo: string; ref?: string }
  | { type: 'delete'; room: string; id: string; ref?: string }
  | { type: 'clear'; room: string; ref?: string }
  | { type: 'history'; room: string; ref?: string };

const ROOM_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_REF = 64;

/** True for room ids we accept: 1-128 of letters, digits and `_ . : -`. */
export function isRoomId(s: string): boolean {
  return ROOM_ID.test(s);
}

function str(o: Record<string, unknown>, key: string, max = Infinity): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ChatProtocolError(`"${key}" must be a string`);
  if (v.length > max) throw new ChatProtocolError(`"${key}" is longer than ${max}`);
  return v;
}

function room(o: Record<string, unknown>): string {
  const r = str(o, 'room');
  if (!isRoomId(r)) throw new ChatProtocolError('"room" must be 1-128 of letters, digits, _ . : -');
  return r;
}

/** Parses one client text frame; throws ChatProtocolError and nothing else for anything invalid. */
export function parseClientFrame(text: string): ClientCommand {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ChatProtocolError('frame is not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ChatProtocolError('frame must be a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.v !== PROTOCOL_VERSION) throw new ChatProtocolError(`unsupported protocol version ${JSON.stringify(o.v)}; this server speaks v${PROTOCOL_VERSION}`);
  const ref = o.ref === undefined ? undefined : str(o, 'ref', MAX_REF);
  const withRef = <T extends object>(c: T): T & { ref?: string } => (ref === undefined ? c : { ...c, ref });
  switch (o.type) {
    case 'auth':
      return withRef({ type: 'auth', token: str(o, 'token', 8192) });
    case 'join':
      return withRef({ type: 'join', room: room(o) });
    case 'leave':
      return withRef({ type: 'leave', room: room(o) });
    case 'message':
      return withRef({ type: 'message', room: room(o), content: str(o, 'content') });
    case 'reply':
      return withRef({ type: 'reply', room: room(o), content: str(o, 'content'), replyTo: str(o, 'replyTo', 128) });
    case 'delete':
      return withRef({ type: 'delete', room: room(o), id: str(o, 'id', 128) });
    case 'clear':
      return withRef({ type: 'clear', room: room(o) });
    case 'history':
      return withRef({ type: 'history', room: room(o) });
    default:
      throw new ChatProtocolError(`unknown frame type ${JSON.stringify(o.type)}`);
  }
}

/** Serialises a client command (used by tests, the bench and SDK-side clients). */
export function encodeClientCommand(c: ClientCommand): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...c });
}

/**
 * Server frames are one or more JSON objects separated by "\n" (JSON never contains a raw line
 * break), so a tick's events travel in one WebSocket frame. Splits and parses one such frame.
 */
export function parseServerFrame(text: string): Array<Record<string, unknown>> {
  return text.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}
