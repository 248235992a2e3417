/**
 * Total (self + callees) time of the functions of one source file in a V8 .cpuprofile, to say
 * what a request handler spends its time on; bench/lib/profile.ts gives the self-time view.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './paths.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's total time, as a share of the profile's busy (non-idle) time. */
export interface TotalTime {
  name: string;
  where: string;
  totalMs: number;
  percent: number;
}

function where(url: string, line: number): string {
  let path = url;
  if (path.startsWith('file://')) path = relative(ROOT, fileURLToPath(path));
  return `${path}:${line + 1}`;
}

/**
 * Functions whose script URL contains `urlPart`, by total time: every sample whose stack holds
 * the function counts once for it (recursion is not double-counted).
 */
export function totalTimes(file: string, urlPart: string, top = 15): TotalTime[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, { name: string; where: string; us: number }>();
  let busyUs = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') return;
    busyUs += dt;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = (byId.get(cur) as Node).callFrame;
      if (!f.url.includes(urlPart)) continue;
      const key = `${f.functionName}|${f.url}|${f.lineNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const e = totals.get(key) ?? { name: f.functionName || '(anonymous)', where: where(f.url, f.lineNumber), us: 0 };
      e.us += dt;
      totals.set(key, e);
    }
  });
  return [...totals.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, totalMs: Math.round(e.us / 1000), percent: busyUs > 0 ? Math.round((e.us / busyUs) * 1000) / 10 : 0 }));
}
