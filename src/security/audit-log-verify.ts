import { readFile } from 'node:fs/promises';
import { GENESIS_HASH, hashLine, type AuditHead } from './audit-log-format.js';

/** What is wrong at `line` (1-based), if anything. */
export type AuditProblem = 'bad-json' | 'bad-seq' | 'broken-chain' | 'head-mismatch';

/** The verdict on a log: ok, or the first line that does not belong where it is. */
export interface AuditVerification {
  ok: boolean;
  /** Complete lines that verified. */
  verifiedLines: number;
  /** The first bad line (1-based) when not ok. */
  firstBadLine?: number;
  problem?: AuditProblem;
  message: string;
  /** The file ends in a partial line (a crash mid-write): reported, not counted as tampering. */
  tornTail: boolean;
}

/**
 * Checks a hash-chained audit log: every line must parse, carry the next sequence number and the
 * SHA-256 of the line before it. An edit breaks the next line's `prev`, a deletion or a swap breaks
 * `seq` and `prev`; a cut-off tail is caught by the head file (`FILE.head`) when it exists.
 */
export function verifyAuditText(text: string, head?: AuditHead): AuditVerification {
  const endsComplete = text.length === 0 || text.endsWith('\n');
  const parts = text.split('\n');
  // The piece after the last newline is either '' (complete file) or a torn last line.
  const torn = parts.pop() ?? '';
  const tornTail = !endsComplete && torn.length > 0;
  let prev = GENESIS_HASH;
  for (let i = 0; i < parts.length; i++) {
    const line = parts[i] as string;
    const lineNo = i + 1;
    let record: { seq?: unknown; prev?: unknown };
    try {
      record = JSON.parse(line) as { seq?: unknown; prev?: unknown };
    } catch {
      return bad(i, lineNo, 'bad-json', `line ${lineNo} is not a JSON record`, tornTail);
    }
    if (record === null || typeof record !== 'object') return bad(i, lineNo, 'bad-json', `line ${lineNo} is not a JSON record`, tornTail);
    if (record.seq !== lineNo) return bad(i, lineNo, 'bad-seq', `line ${lineNo} has sequence number ${String(record.seq)}: a line was deleted, inserted or moved`, tornTail);
    if (record.prev !== prev) return bad(i, lineNo, 'broken-chain', `line ${lineNo} does not follow line ${lineNo - 1}: one of them was edited or moved`, tornTail);
    prev = hashLine(line);
    if (head !== undefined && head.seq === lineNo && head.hash !== prev) {
      return bad(i, lineNo, 'head-mismatch', `line ${lineNo} differs from the one the head file recorded`, tornTail);
    }
  }
  if (head !== undefined && head.seq > parts.length) {
    return bad(parts.length, parts.length + 1, 'head-mismatch', `the log ends at line ${parts.length} but the head file records line ${head.seq}: lines were cut off`, tornTail);
  }
  const note = tornTail ? `; the last line is incomplete (a write was interrupted) and was not counted` : '';
  return { ok: true, verifiedLines: parts.length, message: `${parts.length} lines verified${note}`, tornTail };
}

function bad(verified: number, line: number, problem: AuditProblem, message: string, tornTail: boolean): AuditVerification {
  return { ok: false, verifiedLines: verified, firstBadLine: line, problem, message, tornTail };
}

/** Reads the head file beside a log; undefined when absent or unreadable. */
export async function readAuditHead(file: string): Promise<AuditHead | undefined> {
  try {
    const head = JSON.parse(await readFile(`${file}.head`, 'utf8')) as Partial<AuditHead>;
    if (typeof head.seq === 'number' && typeof head.hash === 'string') return { seq: head.seq, hash: head.hash };
  } catch {
    // No head file: the chain alone is checked.
  }
  return undefined;
}

/** Verifies an audit log file (and its head file, when present). */
export async function verifyAuditLog(file: string): Promise<AuditVerification> {
  const text = await readFile(file, 'utf8');
  return verifyAuditText(text, await readAuditHead(file));
}
