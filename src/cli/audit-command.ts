import { verifyAuditLog } from '../security/index.js';
import type { CommandIo } from './read-password.js';

export const AUDIT_USAGE = `Usage: zenlive audit verify FILE

Checks the hash chain of an audit log: exit 0 when every line is where it was written (a last
line torn by a crash is reported, not counted as tampering), 1 at the first edited, deleted or
moved line.`;

/** `zenlive audit verify FILE`. Returns the exit code. */
export async function runAuditCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [action, file, ...extra] = argv;
  if (action !== 'verify' || file === undefined || extra.length > 0) {
    io.stderr.write(`${AUDIT_USAGE}\n`);
    return 2;
  }
  let verdict;
  try {
    verdict = await verifyAuditLog(file);
  } catch (err) {
    io.stderr.write(`zenlive audit: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  if (verdict.ok) {
    io.stdout.write(`ok: ${verdict.message}\n`);
    return 0;
  }
  io.stdout.write(`TAMPERED: first bad line ${String(verdict.firstBadLine)} (${String(verdict.problem)}): ${verdict.message}\n`);
  return 1;
}
