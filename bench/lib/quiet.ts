import { join } from 'node:path';
import { waitForQuiet } from './cpu.js';
import { ensureDir, WORK } from './paths.js';

/** Above this much CPU (% of a core) used by others on the server's core, a cell is measured again. */
export const OTHER_CPU_LIMIT = 5;

/** Where a CPU profile named `name` goes (bench/.work/prof). */
export function profileFile(name: string): string {
  return join(ensureDir(join(WORK, 'prof')), `${name}.cpuprofile`);
}

/**
 * Runs one cell once the machine is quiet, and again (up to `retries` times) when something else
 * used the server's core during its window; keeps the cleanest attempt, marked with its try.
 */
export async function measureQuietly<R extends { other_cpu_server_core_percent: number }>(
  measureOnce: () => Promise<R>,
  o: { quietPercent: number; quietWaitS: number; retries: number },
  log: (msg: string) => void,
): Promise<R & { attempt: number; tries: number }> {
  let best: (R & { attempt: number }) | undefined;
  let tries = 0;
  for (let attempt = 1; attempt <= o.retries + 1; attempt++) {
    await waitForQuiet(o.quietPercent, o.quietWaitS, log);
    const row = { ...(await measureOnce()), attempt };
    tries = attempt;
    if (best === undefined || row.other_cpu_server_core_percent < best.other_cpu_server_core_percent) best = row;
    if (row.other_cpu_server_core_percent <= OTHER_CPU_LIMIT) break;
    log(`other processes used ${row.other_cpu_server_core_percent} % of the server's core during the window${attempt <= o.retries ? ': measuring again' : ''}`);
  }
  return { ...(best as R & { attempt: number }), tries };
}
