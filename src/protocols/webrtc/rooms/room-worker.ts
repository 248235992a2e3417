/**
 * A room worker: a child process (see worker-process.ts) that hosts some of the rooms. Their
 * peers, SFU forwarding and stats run on this process's event loop (and libdatachannel's threads),
 * so rooms spread over cores. Signaling sockets and auth stay in the server, which sends each frame
 * here with what the connection is allowed to do.
 */
import { serveWorker } from '../worker-side.js';
import type { ConnectionState, RoomAction } from './room-host.js';
import { RoomService } from './room-service.js';
import type { FromRoomWorker, ToRoomWorker } from './worker-messages.js';

interface WorkerConnection extends ConnectionState {
  allowed: RoomAction[];
}

let service: RoomService | undefined;
const connections = new Map<number, WorkerConnection>();

const channel = serveWorker<ToRoomWorker, FromRoomWorker>(async (m) => {
  if (m.t === 'init') {
    const { logLevel, ...init } = m.init;
    service = new RoomService({ ...init, logger: channel.logger(logLevel), authorize: (connection, action) => (connection as WorkerConnection).allowed.includes(action) });
    return undefined;
  }
  if (service === undefined) throw new Error(`room worker got ${m.t} before init`);
  switch (m.t) {
    case 'frame': {
      const c = connections.get(m.connection) ?? { connectionId: m.connection, identity: undefined, allowed: [], participant: undefined, send: (text: string) => channel.post({ t: 'send', connection: m.connection, text }) };
      connections.set(m.connection, c);
      c.identity = m.identity;
      c.allowed = m.allowed;
      try {
        await service.handle(c, m.frame);
      } finally {
        // Not in a room (never joined, refused, or left): nothing to keep; the next frame brings all.
        if (c.participant === undefined) connections.delete(m.connection);
      }
      return undefined;
    }
    case 'gone': {
      const c = connections.get(m.connection);
      connections.delete(m.connection);
      if (c !== undefined) service.disconnected(c);
      return undefined;
    }
    case 'list':
      return service.list();
    case 'snapshot':
      return service.snapshot(m.roomId);
    case 'close':
      service.close();
      connections.clear();
      setImmediate(() => process.disconnect());
      return undefined;
  }
});
