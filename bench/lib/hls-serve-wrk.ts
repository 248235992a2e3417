/**
 * One wrk run of bench/hls-serve.ts: `wrk -tT -cC -dDs --latency URL` pinned to the load core,
 * with the server's CPU (utime+stime of its process tree, /proc/PID/stat) read just before wrk
 * starts and just after it exits, wrk's own CPU (bash `times`), and how busy each core was
 * (/proc/stat) over the same interval, so a run disturbed by something else on the machine shows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { treeCpuMs } from './cpu.js';
import { ensureDir, WORK } from './paths.js';
import { start } from './procs.js';

/** What wrk printed, parsed. */
export interface WrkOutput {
  requests: number;
  /** wrk's own measured duration. */
  seconds: number;
  /** Bytes wrk read (headers and bodies), from its rounded "N.NNMB read". */
  readBytes: number;
  latencyMs: { p50: number; p75: number; p90: number; p99: number; max: number };
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx3xx: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const UNIT_BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

function duration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (m === null) throw new Error(`wrk: cannot read duration "${text}"`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

/** Parses wrk 4.x output (with --latency). */
export function parseWrk(text: string): WrkOutput {
  const total = /(\d+) requests in ([\d.]+(?:us|ms|s|m|h)), ([\d.]+)(B|KB|MB|GB|TB) read/.exec(text);
  if (total === null) throw new Error(`wrk: no "requests in" line in:\n${text.slice(-1500)}`);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)\\s*$`, 'm').exec(text);
    return m === null ? Number.NaN : duration(m[1] as string);
  };
  const lat = /^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: duration(total[2] as string) / 1000,
    readBytes: Number(total[3]) * (UNIT_BYTES[total[4] as string] as number),
    latencyMs: { p50: pct('50'), p75: pct('75'), p90: pct('90'), p99: pct('99'), max: lat === null ? Number.NaN : duration(lat[3] as string) },
    socketErrors: sock === null ? { connect: 0, read: 0, write: 0, timeout: 0 } : { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) },
    non2xx3xx: non === null ? 0 : Number(non[1]),
  };
}

/** Busy and total jiffies of one core (/proc/stat `cpuN` line; busy = all but idle and iowait). */
function coreTimes(core: number): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `));
  if (line === undefined) return { busy: 0, total: 0 };
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] as number) - (f[4] as number), total };
}

/**
 * % of `cores` (summed: 200 = both cores fully busy) used by anything but the process trees of
 * `own` over `ms`: other people's work on a shared machine, which skews a run.
 */
export async function foreignBusyPercent(cores: readonly number[], own: readonly number[], ms: number): Promise<number> {
  const c0 = cores.map(coreTimes);
  const o0 = own.reduce((sum, pid) => sum + treeCpuMs(pid), 0);
  await new Promise((r) => setTimeout(r, ms));
  const c1 = cores.map(coreTimes);
  const o1 = own.reduce((sum, pid) => sum + treeCpuMs(pid), 0);
  let busy = 0;
  cores.forEach((_, i) => {
    const a = c0[i] as { busy: number; total: number };
    const b = c1[i] as { busy: number; total: number };
    if (b.total > a.total) busy += ((b.busy - a.busy) / (b.total - a.total)) * 100;
  });
  return Math.max(0, busy - ((o1 - o0) / ms) * 100);
}

/**
 * Waits (up to `maxWaitMs`) until other people's load on `cores` stays under `maxPercent` for a
 * 1 s sample; resolves with the last sample, whether or not it got that quiet.
 */
export async function waitQuiet(cores: readonly number[], own: readonly number[], maxPercent: number, maxWaitMs: number, onWait?: (p: number) => void): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const p = await foreignBusyPercent(cores, own, 1000);
    if (p <= maxPercent || Date.now() >= deadline) return p;
    onWait?.(p);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** How one run should go. */
export interface WrkOptions {
  url: string;
  /** Core wrk is pinned to. */
  core: number;
  /** Core the server is pinned to (reported: how busy it was in all). */
  serverCore: number;
  threads: number;
  connections: number;
  seconds: number;
  /** The process tree whose CPU is the server's. */
  serverPid: number;
  /** For the log file name. */
  tag: string;
}

/** A run: wrk's output and the CPU figures over the same interval. */
export interface WrkMeasurement extends WrkOutput {
  /** Wall time from just before wrk started to just after it exited. */
  wallMs: number;
  serverCpuMs: number;
  wrkCpuMs: number;
  /** % of each core busy (any process, any mode) over the run. */
  serverCoreBusyPercent: number;
  loadCoreBusyPercent: number;
  /**
   * % of both cores (summed, up to 200) busy with anything outside this benchmark's process tree
   * (orchestrator, servers, publisher, wrk) over the run: other people's work.
   */
  foreignPercent: number;
  log: string;
}

// `times` prints the shell's own user/system time, then its children's (wrk's).
const SCRIPT = 'wrk "$@"; rc=$?; echo "== times"; times; exit $rc';

function shellTime(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m === null ? 0 : (Number(m[1]) * 60 + Number(m[2])) * 1000;
}

/** Runs wrk once against `o.url` and measures around it. */
export async function runWrk(o: WrkOptions): Promise<WrkMeasurement> {
  const log = join(ensureDir(join(WORK, 'logs')), `hls-serve-${process.pid}-wrk-${o.tag}.log`);
  const args = ['-c', SCRIPT, 'wrk', `-t${o.threads}`, `-c${o.connections}`, `-d${o.seconds}s`, '--latency', o.url];
  // start() appends: empty the log so it holds this run's output only.
  writeFileSync(log, '');
  const server0 = treeCpuMs(o.serverPid);
  const s0 = coreTimes(o.serverCore);
  const l0 = coreTimes(o.core);
  const own0 = treeCpuMs(process.pid);
  const t0 = performance.now();
  const child = start(`wrk ${o.tag}`, 'bash', args, { core: o.core, logFile: log, env: { ...process.env, LC_ALL: 'C' } });
  try {
    const timer = setTimeout(() => void child.stop(1000), (o.seconds + 30) * 1000);
    const code = await child.exited;
    clearTimeout(timer);
    const wallMs = performance.now() - t0;
    const server1 = treeCpuMs(o.serverPid);
    const s1 = coreTimes(o.serverCore);
    const l1 = coreTimes(o.core);
    const own1 = treeCpuMs(process.pid);
    const text = readFileSync(log, 'utf8');
    if (code !== 0) throw new Error(`wrk exited ${code}: ${text.slice(-1000)}`);
    const times = text.slice(text.lastIndexOf('== times')).split('\n')[2]?.trim().split(/\s+/) ?? [];
    const wrkCpuMs = shellTime(times[0] ?? '') + shellTime(times[1] ?? '');
    const pct = (a: { busy: number; total: number }, b: { busy: number; total: number }): number => (b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : 0);
    return {
      ...parseWrk(text),
      wallMs,
      serverCpuMs: server1 - server0,
      wrkCpuMs,
      serverCoreBusyPercent: pct(s0, s1),
      loadCoreBusyPercent: pct(l0, l1),
      // wrk has exited and left the tree by now: add its CPU back from `times`.
      foreignPercent: Math.max(0, pct(s0, s1) + pct(l0, l1) - ((own1 - own0 + wrkCpuMs) / wallMs) * 100),
      log,
    };
  } finally {
    await child.stop(1000);
  }
}
