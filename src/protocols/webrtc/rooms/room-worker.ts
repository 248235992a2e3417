/**
 * A room worker: a child process that hosts some of the rooms. Their peers, SFU forwarding and
 * stats run on this process's event loop (and libdatachannel's threads), so rooms spread over
 * cores. It is a process rather than a worker thread because libdatachannel's Node binding keeps
 * process-wide state that a second thread's environment crashes on. Signaling sockets and auth
 * stay in the server, which sends each frame here with what the connection is allowed to do.
 */
import { pino, type Logger } from 'pino';
import { RoomError } from './errors.js';
import type { ConnectionState, RoomAction } from './room-host.js';
import { RoomService } from './room-service.js';
import type { FromRoomWorker, RoomWorkerInit, ToRoomWorker } from './worker-messages.js';

interface WorkerConnection extends ConnectionState {
  allowed: RoomAction[];
}

const send = process.send?.bind(process);
if (send === undefined) throw new Error('room-worker runs as a child process of the server (with an IPC channel)');
const post = (m: FromRoomWorker): void => {
  if (process.connected) send(m);
};
// The server is gone (or let go of us): the rooms go with it.
process.on('disconnect', () => process.exit(0));

function startService(init: RoomWorkerInit): RoomService {
  // Lines go to the server's logger, so a worker logs where (and at the level) the server does.
  logger = pino({ level: init.logLevel, base: undefined, formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => post({ t: 'log', line }) });
  return new RoomService({
    logger,
    network: init.network,
    settings: init.settings,
    stunServers: init.stunServers,
    turnServers: init.turnServers,
    ...(init.turnSecret !== undefined ? { turnSecret: init.turnSecret } : {}),
    maxParticipants: init.maxParticipants,
    maxPublishBitrateBps: init.maxPublishBitrateBps,
    ...(init.subscriberTransport !== undefined ? { subscriberTransport: init.subscriberTransport } : {}),
    authorize: (connection, action) => (connection as WorkerConnection).allowed.includes(action),
  });
}

let service: RoomService | undefined;
let logger: Logger | undefined;
const connections = new Map<number, WorkerConnection>();

function connectionFor(id: number): WorkerConnection {
  let c = connections.get(id);
  if (c === undefined) {
    c = { connectionId: id, identity: undefined, allowed: [], participant: undefined, send: (text) => post({ t: 'send', connection: id, text }) };
    connections.set(id, c);
  }
  return c;
}

async function onMessage(m: ToRoomWorker): Promise<void> {
  if (m.t === 'init') {
    service = startService(m.init);
    post({ t: 'done', seq: m.seq });
    return;
  }
  if (service === undefined) throw new Error(`room worker got ${m.t} before init`);
  switch (m.t) {
    case 'frame': {
      const c = connectionFor(m.connection);
      c.identity = m.identity;
      c.allowed = m.allowed;
      try {
        await service.handle(c, m.frame);
        post({ t: 'done', seq: m.seq });
      } catch (err) {
        if (err instanceof RoomError) post({ t: 'done', seq: m.seq, error: { code: err.code, message: err.message, internal: false } });
        else {
          logger?.error({ err, type: m.frame.type }, 'room signaling frame failed');
          post({ t: 'done', seq: m.seq, error: { code: 'ROOM_INTERNAL', message: 'internal error', internal: true } });
        }
      }
      // Not in a room (never joined, refused, or left): nothing to keep; the next frame brings all.
      if (c.participant === undefined) connections.delete(m.connection);
      return;
    }
    case 'gone': {
      const c = connections.get(m.connection);
      connections.delete(m.connection);
      if (c !== undefined) service.disconnected(c);
      return;
    }
    case 'list':
      post({ t: 'done', seq: m.seq, value: service.list() });
      return;
    case 'snapshot': {
      const room = service.snapshot(m.roomId);
      post({ t: 'done', seq: m.seq, ...(room !== undefined ? { value: room } : {}) });
      return;
    }
    case 'close':
      service.close();
      connections.clear();
      post({ t: 'done', seq: m.seq });
      process.disconnect();
      return;
  }
}

process.on('message', (m: ToRoomWorker) => {
  void onMessage(m);
});
