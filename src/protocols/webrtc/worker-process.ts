import { fork, type ChildProcess } from 'node:child_process';
import { workerScript, type Logger } from '../../base/index.js';

/**
 * Worker processes for WebRTC work that one event loop cannot carry (rooms, big WHEP fan-outs).
 * Processes rather than worker threads: libdatachannel's Node binding keeps process-wide state,
 * and a second thread's environment that opens a peer aborts the whole process (seen here).
 *
 * The wire, both ways, is Node's IPC channel with structured-clone serialization. The server
 * sends requests carrying a `seq`; the worker answers each with `done` (a value or an error).
 * Anything else the worker sends goes to the owner's `onMessage`, except log lines, which are
 * re-emitted on the server's logger.
 */

/** An error as it crosses back from a worker. */
export interface WorkerError {
  code: string;
  message: string;
  /** Not the client's mistake (no stable code to show): logged in the worker. */
  internal: boolean;
}

/** What every worker may send besides its own messages. */
export type WorkerReply = { t: 'done'; seq: number; error?: WorkerError; value?: unknown } | { t: 'log'; line: string };

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export interface WorkerProcessOptions<In, Out> {
  /** The worker's entry, `new URL('./x.js', import.meta.url)` from the calling module. */
  entry: URL;
  index: number;
  log: Logger;
  onMessage(m: Out): void;
  onExit(code: number | string): void;
  /** Turns a worker's error back into the owner's error class. */
  toError(e: WorkerError): Error;
  /** The first request: the worker's settings (secrets go over the IPC channel, not the environment). */
  init: In;
}

/** How long a worker may leave messages queued on its pipe before it is taken for stuck. */
const MAX_BACKLOG_MS = 5000;

const LOG_METHODS = new Set<string>(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
type LogMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export class WorkerProcess<In extends { t: string }, Out extends { t: string }> {
  readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private backlogSince: number | undefined;
  closing = false;
  /** Settles once the worker has taken its settings; a failed start is reported here (and by later requests). */
  readonly started: Promise<void>;

  constructor(private readonly options: WorkerProcessOptions<In, Out>) {
    const script = workerScript(options.entry);
    this.child = fork(script.filename, [], { execArgv: script.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: Out | WorkerReply) => this.onMessage(m));
    this.child.on('error', (err) => options.log.error({ err }, 'worker process failed'));
    this.child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`worker ${options.index} exited (${code ?? signal ?? 'unknown'})`));
      this.pending.clear();
      options.onExit(code ?? signal ?? 'unknown');
    });
    this.started = this.request(options.init).then(() => undefined);
    this.started.catch(() => undefined);
  }

  get index(): number {
    return this.options.index;
  }

  /** Sends `m` with a fresh `seq` and resolves with the worker's answer. */
  request(m: In): Promise<unknown> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`worker ${this.options.index} is not running`));
        return;
      }
      this.pending.set(seq, { resolve, reject });
      this.child.send({ ...m, seq });
    });
  }

  /** Sends `m` without waiting for anything back; dropped if the worker is gone. */
  post(m: In): void {
    if (!this.child.connected) return;
    // send() queues whatever the pipe does not take at once and says so by returning false; a
    // worker that stops reading would make that queue grow without end, so past a few seconds of
    // backlog it is killed (and replaced) rather than let the server's memory pay for it.
    if (this.child.send(m)) {
      this.backlogSince = undefined;
      return;
    }
    const now = performance.now();
    this.backlogSince ??= now;
    if (now - this.backlogSince > MAX_BACKLOG_MS && !this.child.killed) {
      this.options.log.error({ worker: this.options.index, backlog_ms: Math.round(now - this.backlogSince) }, 'worker does not keep up with its messages; killing it');
      this.child.kill('SIGKILL');
    }
  }

  /** Asks the worker to finish with `goodbye` (a request), then kills it if it has not exited in time. */
  async close(goodbye: In, timeoutMs: number): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([this.request(goodbye).catch(() => undefined), timer]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }

  private onMessage(m: Out | WorkerReply): void {
    if (m.t === 'done') {
      const reply = m as WorkerReply & { t: 'done' };
      const pending = this.pending.get(reply.seq);
      this.pending.delete(reply.seq);
      if (pending === undefined) return;
      if (reply.error !== undefined) pending.reject(this.options.toError(reply.error));
      else pending.resolve(reply.value);
      return;
    }
    if (m.t === 'log') {
      relayLog(this.options.log, (m as WorkerReply & { t: 'log' }).line);
      return;
    }
    this.options.onMessage(m as Out);
  }
}

/** The number of workers a pool was configured with, checked. */
export function workerCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} needs at least one worker`);
  return n;
}

/** Re-emits one of a worker's JSON log lines on the server's logger. */
function relayLog(log: Logger, line: string): void {
  try {
    const { level, msg, time: _time, ...fields } = JSON.parse(line) as { level?: string; msg?: string; time?: string } & Record<string, unknown>;
    const method = (LOG_METHODS.has(level ?? '') ? level : 'info') as LogMethod;
    log[method](fields, msg ?? '');
  } catch {
    log.info(line.trim());
  }
}
