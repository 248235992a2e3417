/**
 * Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`):
 *
 *   npx vite-node bench/profile-summary.ts -- bench/.work/prof/zenlive-n1000.cpuprofile [top=15]
 *
 * One line per function: self ms, % of the busy (non-idle) time, name and source location.
 */
import { summarize } from './lib/profile.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const file = args[0];
if (file === undefined) {
  process.stderr.write('usage: npx vite-node bench/profile-summary.ts -- FILE.cpuprofile [top]\n');
  process.exit(2);
}
const { busyMs, idleMs, hot } = summarize(file, Number(args[1] ?? 15));
process.stdout.write(`busy ${busyMs} ms, idle ${idleMs} ms\n`);
for (const h of hot) process.stdout.write(`${String(h.selfMs).padStart(7)} ms ${String(h.percent).padStart(5)} %  ${h.name}  ${h.where}\n`);
