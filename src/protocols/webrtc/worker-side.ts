import { pino, type Logger } from 'pino';
import type { WorkerError, WorkerReply } from './worker-process.js';

/** An error that carries a stable code for the client (RoomError, WebRtcRequestError). */
function clientError(err: unknown): WorkerError | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? { code, message: err.message, internal: false } : undefined;
}

/**
 * The worker's end of worker-process.ts: answers the server's requests in order of arrival,
 * sends its own messages, and gives a logger whose lines go to the server's logger. The process
 * exits when the server goes away.
 */
export function serveWorker<In extends { t: string; seq?: number }, Out extends { t: string } = { t: string }>(handle: (m: In, log: Logger) => unknown): { post(m: Out): void; logger(level: string): Logger } {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('a worker runs as a child process of the server (with an IPC channel)');
  const post = (m: Out | WorkerReply): void => {
    if (process.connected) send(m);
  };
  const reply = (m: WorkerReply): void => post(m);
  let log: Logger = pino({ level: 'info', base: undefined }, { write: (line: string) => reply({ t: 'log', line }) });
  const logger = (level: string): Logger => {
    log = pino({ level, base: undefined, formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => reply({ t: 'log', line }) });
    return log;
  };
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: In) => {
    void (async () => {
      try {
        const value = await handle(m, log);
        if (m.seq !== undefined) reply({ t: 'done', seq: m.seq, ...(value !== undefined ? { value } : {}) });
      } catch (err) {
        const known = clientError(err);
        if (known === undefined) log.error({ err, request: m.t }, 'worker request failed');
        if (m.seq !== undefined) reply({ t: 'done', seq: m.seq, error: known ?? { code: 'INTERNAL', message: 'internal error', internal: true } });
      }
    })();
  });
  return { post, logger };
}
