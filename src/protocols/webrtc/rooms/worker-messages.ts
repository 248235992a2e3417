import type { RoomIdentity } from './participant.js';
import type { RtcClientFrame } from './protocol.js';
import type { RoomAction } from './room-host.js';
import type { RoomServiceOptions } from './room-service.js';

/** What a room worker is started with: the room settings that can cross to another process (no functions). */
export type RoomWorkerInit = Omit<RoomServiceOptions, 'logger' | 'authorize'> & { logLevel: string };

/** Server → worker. */
export type ToRoomWorker =
  /** Always the first message: settings (secrets included) go over the IPC channel, not the environment. */
  | { t: 'init'; seq: number; init: RoomWorkerInit }
  /** One signaling frame; `allowed` is what the connection may do in the room the frame is about, decided by the main thread's auth. */
  | { t: 'frame'; seq: number; connection: number; identity: RoomIdentity | undefined; allowed: RoomAction[]; frame: RtcClientFrame }
  | { t: 'gone'; connection: number }
  | { t: 'list'; seq: number }
  | { t: 'snapshot'; seq: number; roomId: string }
  | { t: 'close'; seq: number };

/** Worker → server (besides answers and log lines, see worker-process.ts): a frame for a signaling socket. */
export type FromRoomWorker = { t: 'send'; connection: number; text: string };
