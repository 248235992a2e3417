/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) into the functions with the most self time.
 * Idle time ("(idle)") is left out of the percentages so they say where the busy time goes.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './paths.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of a profile. */
export interface HotFunction {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

function location(frame: CallFrame): string {
  if (frame.url === '') return '';
  let path = frame.url;
  if (path.startsWith('file://')) path = relative(ROOT, fileURLToPath(path));
  return `${path}:${frame.lineNumber + 1}`;
}

/** The `top` functions by self time of the profile at `file`, with the busy (non-idle) total. */
export function summarize(file: string, top = 15): { busyMs: number; idleMs: number; hot: HotFunction[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { frame: CallFrame; us: number }>();
  profile.samples.forEach((id, i) => {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}`;
    const entry = self.get(key) ?? { frame, us: 0 };
    // timeDeltas[i] is the time since the previous sample: charge it to this one.
    entry.us += profile.timeDeltas[i] ?? 0;
    self.set(key, entry);
  });
  let idleUs = 0;
  let busyUs = 0;
  for (const e of self.values()) {
    if (e.frame.functionName === '(idle)') idleUs += e.us;
    else busyUs += e.us;
  }
  const hot = [...self.values()]
    .filter((e) => e.frame.functionName !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.frame.functionName || '(anonymous)', where: location(e.frame), selfMs: Math.round(e.us / 1000), percent: Math.round((e.us / busyUs) * 1000) / 10 }));
  return { busyMs: Math.round(busyUs / 1000), idleMs: Math.round(idleUs / 1000), hot };
}

