import type { Logger } from '../../../base/index.js';
import { workerCount, WorkerProcess, type WorkerError } from '../worker-process.js';
import { RoomError, type RoomErrorCode } from './errors.js';
import { encodeRtcServerFrame, type RtcClientFrame } from './protocol.js';
import type { ConnectionState, RoomAction, RoomHost, RoomSnapshot } from './room-host.js';
import type { FromRoomWorker, RoomWorkerInit, ToRoomWorker } from './worker-messages.js';

export interface RoomWorkerPoolOptions {
  /** Worker processes; each room lives on one of them, new rooms go to the least busy. */
  workers: number;
  init: Omit<RoomWorkerInit, 'logLevel'>;
  logger: Logger;
  /** The app's auth, asked on this thread; workers are told the answer with each frame. */
  authorize(connection: ConnectionState, action: RoomAction, roomId: string): boolean;
}

const ACTIONS: readonly RoomAction[] = ['join', 'publish', 'subscribe'];
/** How long a worker gets to close its rooms before it is killed. */
const CLOSE_TIMEOUT_MS = 5000;
const RESPAWN_DELAY_MS = 1000;

type RoomWorkerProcess = WorkerProcess<ToRoomWorker, FromRoomWorker>;

/** One worker process and how busy it is. */
class RoomWorkerSlot {
  /** Participants in, or joining, its rooms: what "least busy" counts. */
  load = 0;

  constructor(
    readonly index: number,
    readonly worker: RoomWorkerProcess,
  ) {}
}

interface RoomPlacement {
  slot: RoomWorkerSlot;
  /** Joined participants plus joins on their way. */
  members: number;
}

interface Binding {
  slot: RoomWorkerSlot;
  roomId: string;
}

/**
 * Rooms spread over worker processes (room-worker.ts): one event loop per core for the peers, SFU
 * forwarding and stats of the rooms it hosts. A room is placed on the least busy worker when its
 * first participant joins and stays there; a signaling connection is bound to its room's worker
 * from join to leave. Signaling sockets and auth stay in the server.
 */
export class RoomWorkerPool implements RoomHost {
  private readonly slots: RoomWorkerSlot[] = [];
  private readonly rooms = new Map<string, RoomPlacement>();
  private readonly bindings = new Map<number, Binding>();
  private readonly connections = new Map<number, ConnectionState>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: RoomWorkerPoolOptions) {
    this.log = options.logger.child({ component: 'room-workers' });
    for (let i = 0; i < workerCount(options.workers, 'a room worker pool'); i++) this.slots.push(this.spawn(i));
  }

  /** Resolves once every worker runs with its settings (their startup errors surface here). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.started));
  }

  async handle(state: ConnectionState, frame: RtcClientFrame): Promise<void> {
    const id = state.connectionId;
    this.connections.set(id, state);
    const bound = this.bindings.get(id);
    let slot: RoomWorkerSlot;
    let roomId: string;
    let placement: RoomPlacement | undefined;
    if (bound !== undefined) {
      // A second join is refused by the worker the connection is in (already joined).
      slot = bound.slot;
      roomId = bound.roomId;
    } else if (frame.type === 'join') {
      roomId = frame.room;
      placement = this.place(roomId);
      slot = placement.slot;
    } else {
      throw new RoomError('ROOM_NOT_JOINED', 'join a room first');
    }
    const allowed = ACTIONS.filter((a) => this.options.authorize(state, a, roomId));
    try {
      await slot.worker.request({ t: 'frame', seq: 0, connection: id, identity: state.identity, allowed, frame });
      if (placement !== undefined) this.bindings.set(id, { slot, roomId });
      else if (frame.type === 'leave') this.unbind(id);
    } catch (err) {
      // A join that failed takes back the place it held, as if it had never been.
      if (placement !== undefined) this.release(roomId);
      throw err;
    }
  }

  disconnected(state: ConnectionState): void {
    const id = state.connectionId;
    this.connections.delete(id);
    const bound = this.bindings.get(id);
    if (bound === undefined) return;
    bound.slot.worker.post({ t: 'gone', connection: id });
    this.unbind(id);
  }

  async list(): Promise<RoomSnapshot[]> {
    const lists = await Promise.all(this.slots.map((s) => s.worker.request({ t: 'list', seq: 0 }) as Promise<RoomSnapshot[]>));
    return lists.flatMap((l, worker) => (Array.isArray(l) ? l.map((room) => ({ ...room, worker })) : []));
  }

  async snapshot(roomId: string): Promise<RoomSnapshot | undefined> {
    const placement = this.rooms.get(roomId);
    if (placement === undefined) return undefined;
    const room = (await placement.slot.worker.request({ t: 'snapshot', seq: 0, roomId })) as RoomSnapshot | undefined;
    return room === undefined ? undefined : { ...room, worker: placement.slot.index };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.close({ t: 'close', seq: 0 }, CLOSE_TIMEOUT_MS)));
  }

  private place(roomId: string): RoomPlacement {
    let placement = this.rooms.get(roomId);
    if (placement === undefined) {
      const slot = this.slots.reduce((best, s) => (s.load < best.load ? s : best));
      placement = { slot, members: 0 };
      this.rooms.set(roomId, placement);
    }
    placement.members++;
    placement.slot.load++;
    return placement;
  }

  private release(roomId: string): void {
    const placement = this.rooms.get(roomId);
    if (placement === undefined) return;
    placement.members--;
    placement.slot.load--;
    if (placement.members <= 0) this.rooms.delete(roomId);
  }

  private unbind(connection: number): void {
    const bound = this.bindings.get(connection);
    if (bound === undefined) return;
    this.bindings.delete(connection);
    this.release(bound.roomId);
  }

  private spawn(index: number): RoomWorkerSlot {
    const slot: RoomWorkerSlot = new RoomWorkerSlot(
      index,
      new WorkerProcess<ToRoomWorker, FromRoomWorker>({
        entry: new URL('./room-worker.js', import.meta.url),
        index,
        log: this.log.child({ room_worker: index }),
        onMessage: (m) => this.connections.get(m.connection)?.send(m.text),
        onExit: (code) => this.onExit(slot, code),
        toError,
        init: { t: 'init', seq: 0, init: { ...this.options.init, logLevel: this.options.logger.level } },
      }),
    );
    return slot;
  }

  /**
   * A worker that ends unasked took its rooms with it: their participants get a ROOM_INTERNAL
   * error saying to join again, and a fresh worker takes the slot.
   */
  private onExit(slot: RoomWorkerSlot, code: number | string): void {
    if (slot.worker.closing || this.closed) return;
    this.log.error({ room_worker: slot.index, code }, 'room worker exited; its rooms are gone');
    for (const [connection, bound] of this.bindings) {
      if (bound.slot !== slot) continue;
      this.bindings.delete(connection);
      this.connections.get(connection)?.send(encodeRtcServerFrame({ type: 'error', code: 'ROOM_INTERNAL', message: 'the room was lost (its worker stopped); join again' }));
    }
    for (const [roomId, placement] of this.rooms) if (placement.slot === slot) this.rooms.delete(roomId);
    // A second later, so a worker that cannot start does not spin; joins meanwhile are refused.
    setTimeout(() => {
      if (!this.closed) this.slots[slot.index] = this.spawn(slot.index);
    }, RESPAWN_DELAY_MS).unref();
  }
}

function toError(e: WorkerError): Error {
  return e.internal ? new Error(e.message) : new RoomError(e.code as RoomErrorCode, e.message);
}
