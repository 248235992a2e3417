import { fork, type ChildProcess } from 'node:child_process';
import { workerScript, type Logger } from '../../../base/index.js';
import { RoomError, type RoomErrorCode } from './errors.js';
import { encodeRtcServerFrame, type RtcClientFrame } from './protocol.js';
import type { ConnectionState, RoomAction, RoomHost, RoomSnapshot } from './room-host.js';
import type { FromRoomWorker, RoomWorkerError, RoomWorkerInit, ToRoomWorker } from './worker-messages.js';

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

interface Pending {
  resolve(value: RoomSnapshot[] | RoomSnapshot | undefined): void;
  reject(err: Error): void;
}

/** One worker process and what it is doing. */
class RoomWorkerSlot {
  readonly pending = new Map<number, Pending>();
  /** Participants in, or joining, its rooms: what "least busy" counts. */
  load = 0;
  closing = false;
  /** Settles when the worker has taken its settings. */
  started: Promise<void> = Promise.resolve();

  constructor(
    readonly index: number,
    readonly worker: ChildProcess,
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
  private seq = 0;
  private closed = false;

  constructor(private readonly options: RoomWorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError('a room worker pool needs at least one worker');
    this.log = options.logger.child({ component: 'room-workers' });
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn(i));
  }

  /** Resolves once every worker runs with its settings (their startup errors surface here). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.started));
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
      await this.request(slot, { t: 'frame', seq: 0, connection: id, identity: state.identity, allowed, frame });
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
    this.post(bound.slot, { t: 'gone', connection: id });
    this.unbind(id);
  }

  async list(): Promise<RoomSnapshot[]> {
    const lists = await Promise.all(this.slots.map((s) => this.request(s, { t: 'list', seq: 0 })));
    return lists.flatMap((l, worker) => (Array.isArray(l) ? l.map((room) => ({ ...room, worker })) : []));
  }

  async snapshot(roomId: string): Promise<RoomSnapshot | undefined> {
    const placement = this.rooms.get(roomId);
    if (placement === undefined) return undefined;
    const room = await this.request(placement.slot, { t: 'snapshot', seq: 0, roomId });
    return room === undefined || Array.isArray(room) ? undefined : { ...room, worker: placement.slot.index };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.slots.map(async (s) => {
        s.closing = true;
        const timer = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
        const exited = s.worker.exitCode !== null || s.worker.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => s.worker.once('exit', () => resolve()));
        await Promise.race([this.request(s, { t: 'close', seq: 0 }).catch(() => undefined), timer]);
        if (!s.worker.killed && s.worker.exitCode === null) s.worker.kill('SIGKILL');
        await exited;
      }),
    );
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
    const script = workerScript(new URL('./room-worker.js', import.meta.url));
    const worker = fork(script.filename, [], { execArgv: script.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const slot = new RoomWorkerSlot(index, worker);
    const workerLog = this.log.child({ room_worker: index });
    worker.on('message', (m: FromRoomWorker) => this.onMessage(slot, workerLog, m));
    worker.on('error', (err) => workerLog.error({ err }, 'room worker failed'));
    worker.on('exit', (code, signal) => this.onExit(slot, code ?? signal ?? 'unknown'));
    slot.started = this.request(slot, { t: 'init', seq: 0, init: { ...this.options.init, logLevel: this.options.logger.level } }).then(() => undefined);
    // A failed start is reported by ready() (at server start) or by the next request.
    slot.started.catch(() => undefined);
    return slot;
  }

  private onMessage(slot: RoomWorkerSlot, workerLog: Logger, m: FromRoomWorker): void {
    switch (m.t) {
      case 'send':
        this.connections.get(m.connection)?.send(m.text);
        return;
      case 'done': {
        const pending = slot.pending.get(m.seq);
        slot.pending.delete(m.seq);
        if (pending === undefined) return;
        if (m.error !== undefined) pending.reject(toError(m.error));
        else pending.resolve(m.value);
        return;
      }
      case 'log':
        relayLog(workerLog, m.line);
        return;
    }
  }

  /**
   * A worker that ends unasked took its rooms with it: their participants get a ROOM_INTERNAL
   * error saying to join again, and a fresh worker takes the slot.
   */
  private onExit(slot: RoomWorkerSlot, code: number | string): void {
    for (const p of slot.pending.values()) p.reject(new Error(`room worker ${slot.index} exited (${code})`));
    slot.pending.clear();
    if (slot.closing || this.closed) return;
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

  private request(slot: RoomWorkerSlot, m: ToRoomWorker): Promise<RoomSnapshot[] | RoomSnapshot | undefined> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      slot.pending.set(seq, { resolve, reject });
      this.post(slot, { ...m, seq } as ToRoomWorker);
    });
  }

  private post(slot: RoomWorkerSlot, m: ToRoomWorker): void {
    if (slot.worker.connected) {
      slot.worker.send(m);
      return;
    }
    const pending = m.t === 'gone' ? undefined : slot.pending.get(m.seq);
    if (m.t !== 'gone') slot.pending.delete(m.seq);
    pending?.reject(new Error(`room worker ${slot.index} is not running`));
  }
}

function toError(e: RoomWorkerError): Error {
  return e.internal ? new Error(e.message) : new RoomError(e.code as RoomErrorCode, e.message);
}

type LogMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const LOG_METHODS = new Set<string>(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** Re-emits one of a worker's JSON log lines on this thread's logger. */
function relayLog(log: Logger, line: string): void {
  try {
    const { level, msg, time: _time, ...fields } = JSON.parse(line) as { level?: string; msg?: string; time?: string } & Record<string, unknown>;
    const method = (LOG_METHODS.has(level ?? '') ? level : 'info') as LogMethod;
    log[method](fields, msg ?? '');
  } catch {
    log.info(line.trim());
  }
}
