import { readFileSync, readdirSync } from 'node:fs';

// USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux we run on (`getconf CLK_TCK`).
const TICKS_PER_SECOND = 100;

/** The pid and every descendant of it (nginx master and workers, timeout and its ffmpeg). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i] as number;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids !== '') for (const k of kids.split(/\s+/)) out.push(Number(k));
      } catch {
        // The task ended while we looked.
      }
    }
  }
  return out;
}

/** User + system CPU time of one process (all its threads), in ms; 0 when it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size of one process in MB (VmRSS); 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) / 1024;
  } catch {
    return 0;
  }
}

/** CPU ms summed over the process tree rooted at `pid`. */
export function treeCpuMs(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + cpuMs(p), 0);
}

/** RSS in MB summed over the process tree rooted at `pid` (shared pages count once per process). */
export function treeRssMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssMb(p), 0);
}

/**
 * Busy time of each core since boot in ms (/proc/stat: user+nice+system+irq+softirq+steal).
 * Over a window, a core's busy time minus what the processes pinned to it used is what
 * something else did there: other work on the machine would skew the numbers, so the
 * benchmarks report it (a few % of softirq and the orchestrator is normal).
 */
export function coreBusyMs(): number[] {
  const out: number[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (m === null) continue;
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = (m[2] as string).trim().split(/\s+/).map(Number);
    out[Number(m[1])] = ((user + nice + system + irq + softirq + steal) * 1000) / TICKS_PER_SECOND;
  }
  return out;
}

/**
 * Waits until the whole machine has been nearly idle (all cores together below `maxBusyPercent`
 * of one core over a 2 s sample) — other engineers' tests and browsers share this machine, and a
 * measurement taken beside them is worthless. Gives up after `timeoutS` and returns false.
 */
export async function waitForQuiet(maxBusyPercent: number, timeoutS: number, log: (msg: string) => void): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  let warned = false;
  for (;;) {
    const a = coreBusyMs();
    await new Promise((r) => setTimeout(r, 2000));
    const b = coreBusyMs();
    const busy = (b.reduce((s, x, i) => s + x - (a[i] ?? 0), 0) / 2000) * 100;
    if (busy <= maxBusyPercent) return true;
    if (Date.now() > deadline) {
      log(`machine still busy (${busy.toFixed(0)} % of a core) after ${timeoutS} s: measuring anyway, see other_cpu_*`);
      return false;
    }
    if (!warned) log(`machine busy (${busy.toFixed(0)} % of a core used by other processes): waiting for it to calm down`);
    warned = true;
  }
}
