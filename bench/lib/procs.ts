import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { openSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** A child process started in its own process group, so stopping it also stops what it forked. */
export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has gone. */
  readonly exited: Promise<number | string>;
  /** Emits 'json' with every stdout line that parses as a JSON object (when stdout is piped). */
  readonly lines: EventEmitter<{ json: [Record<string, unknown>] }>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

// Whatever happens to the orchestrator (error, Ctrl-C), no server or ffmpeg outlives it.
process.once('exit', () => {
  for (const c of live) killGroup(c.pid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const c of live) killGroup(c.pid, 'SIGKILL');
    process.exit(130);
  });
}

/** Options for start(): where output goes, and which core the process may run on. */
export interface StartOptions {
  /** Pin with `taskset -c CORE` (a core, or a list such as "0,1"). */
  core?: number | string;
  /** File that receives stdout and stderr; ignored when `pipeStdout` is set for stdout. */
  logFile?: string;
  /** Keep stdout as a pipe (to read the child's JSON lines). */
  pipeStdout?: boolean;
  /** Forward the child's stderr to ours (progress lines). */
  inheritStderr?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts `cmd args` detached into its own process group and tracks it until it exits. */
export function start(name: string, cmd: string, args: readonly string[], options: StartOptions = {}): Child {
  const argv = options.core !== undefined ? ['taskset', '-c', String(options.core), cmd, ...args] : [cmd, ...args];
  const fd = options.logFile !== undefined ? openSync(options.logFile, 'a') : 'ignore';
  const stdio: SpawnOptions['stdio'] = ['ignore', options.pipeStdout === true ? 'pipe' : fd, options.inheritStderr === true ? 'inherit' : fd];
  const proc = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio, env: options.env ?? process.env, cwd: options.cwd });
  if (typeof fd === 'number') closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
  const pid = proc.pid;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    proc.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  const lines = new EventEmitter<{ json: [Record<string, unknown>] }>();
  if (proc.stdout !== null) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        lines.emit('json', JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A log line that merely starts with a brace.
      }
    });
  }
  const child: Child = {
    name,
    proc,
    pid,
    exited,
    lines,
    async stop(graceMs = 5000) {
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader may exit before what it forked (ffmpeg under timeout): sweep the group.
      killGroup(pid, 'SIGKILL');
    },
  };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** Runs a command to completion; rejects with its stderr when it fails. */
export function run(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/**
 * Resolves with the next stdout line of `child` that is a JSON object accepted by `match`, or
 * rejects after `timeoutMs` or when the child exits first. Lines that are not JSON are ignored.
 */
export function waitJson<T>(child: Child, timeoutMs: number, match: (o: Record<string, unknown>) => boolean = () => true): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${child.name}: no matching JSON line within ${timeoutMs} ms`)), timeoutMs);
    const onLine = (o: Record<string, unknown>): void => {
      if (match(o)) done(undefined, o as T);
    };
    const onExit = (): void => done(new Error(`${child.name} exited before printing the expected JSON line`));
    function done(err: Error | undefined, value?: T): void {
      clearTimeout(timer);
      child.lines.off('json', onLine);
      child.proc.off('exit', onExit);
      if (err !== undefined) reject(err);
      else resolve(value as T);
    }
    child.lines.on('json', onLine);
    child.proc.once('exit', onExit);
  });
}
