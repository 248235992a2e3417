import { readdirSync, readFileSync } from 'node:fs';

/** Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, ... [19] start time. */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Live child processes of `parent` (this test process) whose command line contains `name`, oldest first (so in start order). */
export function childProcesses(name: string, parent = process.pid): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        // gone meanwhile
      }
      return { pid: Number(pid), fields: statFields(pid), cmd };
    })
    .filter((p) => p.cmd.includes(name) && p.fields !== undefined && Number(p.fields[1]) === parent && p.fields[0] !== 'Z')
    .sort((a, b) => Number(a.fields?.[19]) - Number(b.fields?.[19]))
    .map((p) => p.pid);
}
