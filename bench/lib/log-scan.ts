import { readFileSync } from 'node:fs';

/** Warnings and errors a server logged during one run, with a few distinct examples. */
export interface LogScan {
  warnings: number;
  errors: number;
  examples: string[];
}

// ZenLive writes pino JSON ("level":"warn"), nginx `[warn]`/`[error]`/`[crit]`/`[alert]`,
// Node-Media-Server `[WARN]`/`[ERROR]`, ffmpeg free text.
const WARN = /"level":"warn"|\[warn\]|\[WARN\]/;
const ERROR = /"level":"(error|fatal)"|\[(error|crit|alert|emerg)\]|\[ERROR\]/;

/** Counts warning and error lines in `file`, keeping up to `keep` distinct messages as examples. */
export function scanLog(file: string, keep = 5): LogScan {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { warnings: 0, errors: 0, examples: [] };
  }
  const out: LogScan = { warnings: 0, errors: 0, examples: [] };
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const isError = ERROR.test(line);
    if (!isError && !WARN.test(line)) continue;
    if (isError) out.errors++;
    else out.warnings++;
    const key = messageOf(line);
    if (!seen.has(key) && out.examples.length < keep) {
      seen.add(key);
      out.examples.push(line.slice(0, 300));
    }
  }
  return out;
}

/** The constant part of a log line, to tell repeats of one message apart from new ones. */
function messageOf(line: string): string {
  const m = /"msg":"([^"]*)"/.exec(line);
  if (m !== null) return m[1] as string;
  return line.replace(/^[^\]]*\]/, '').replace(/\d+/g, '#');
}
