import fc from 'fast-check';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../base/index.js';
import { FileAuditLog } from './audit-log.js';
import { formatRecord, GENESIS_HASH, hashLine, type AuditHead } from './audit-log-format.js';
import { verifyAuditLog, verifyAuditText } from './audit-log-verify.js';
import { AuditLogCorruptError } from './errors.js';

/** A valid chained log of `n` lines, built in memory, with its head. */
function chain(n: number): { lines: string[]; head: AuditHead } {
  const lines: string[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const line = formatRecord({ seq: i, ts: new Date(1_700_000_000_000 + i).toISOString(), type: 'auth.login', actor: `usr_${i}`, data: { n: i }, prev });
    lines.push(line);
    prev = hashLine(line);
  }
  return { lines, head: { seq: n, hash: prev } };
}

const text = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join('');

describe('audit log verification', () => {
  it('an untouched log verifies', () => {
    const { lines, head } = chain(5);
    expect(verifyAuditText(text(lines), head)).toMatchObject({ ok: true, verifiedLines: 5, tornTail: false });
    expect(verifyAuditText('', undefined)).toMatchObject({ ok: true, verifiedLines: 0 });
  });

  it('an edited line is reported at the line after it (the chain breaks there)', () => {
    const { lines, head } = chain(5);
    lines[1] = (lines[1] as string).replace('usr_2', 'usr_X');
    expect(verifyAuditText(text(lines), head)).toMatchObject({ ok: false, firstBadLine: 3, problem: 'broken-chain' });
  });

  it('an edited last line is caught by the head file', () => {
    const { lines, head } = chain(4);
    lines[3] = (lines[3] as string).replace('usr_4', 'usr_Y');
    expect(verifyAuditText(text(lines), head)).toMatchObject({ ok: false, firstBadLine: 4, problem: 'head-mismatch' });
  });

  it('a deleted line, a swap and a cut-off tail are each detected', () => {
    const { lines, head } = chain(6);
    const deleted = [...lines.slice(0, 2), ...lines.slice(3)];
    expect(verifyAuditText(text(deleted), head)).toMatchObject({ ok: false, firstBadLine: 3 });
    const swapped = [...lines];
    [swapped[1], swapped[4]] = [swapped[4] as string, swapped[1] as string];
    expect(verifyAuditText(text(swapped), head)).toMatchObject({ ok: false, firstBadLine: 2 });
    expect(verifyAuditText(text(lines.slice(0, 5)), head)).toMatchObject({ ok: false, problem: 'head-mismatch', firstBadLine: 6 });
  });

  it('a torn last line (crash mid-write) verifies up to the last complete line and says so', () => {
    const { lines, head } = chain(3);
    const torn = text(lines) + (chain(4).lines[3] as string).slice(0, 20);
    expect(verifyAuditText(torn, head)).toMatchObject({ ok: true, verifiedLines: 3, tornTail: true });
  });

  it('property: any single edit, deletion or swap of lines is detected', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), line: fc.nat(), at: fc.nat(), char: fc.constantFrom('a', '0', '"', '}', ' ', 'Z') }),
      fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), mutation, (n, m) => {
        const { lines, head } = chain(n);
        const i = m.line % n;
        const out = [...lines];
        if (m.kind === 'edit') {
          const line = out[i] as string;
          const at = m.at % line.length;
          if (line[at] === m.char) return; // not a change
          out[i] = line.slice(0, at) + m.char + line.slice(at + 1);
        } else if (m.kind === 'delete') {
          out.splice(i, 1);
        } else {
          const j = m.other % n;
          if (j === i) return;
          [out[i], out[j]] = [out[j] as string, out[i] as string];
        }
        const verdict = verifyAuditText(text(out), head);
        expect(verdict.ok).toBe(false);
        expect(verdict.firstBadLine).toBeGreaterThanOrEqual(1);
        expect(verdict.firstBadLine).toBeLessThanOrEqual(n);
      }),
      { numRuns: 500 },
    );
  });
});

describe('FileAuditLog', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function tempFile(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-audit-'));
    dirs.push(dir);
    return join(dir, 'audit.log');
  }

  it('writes a chain that verifies, and continues it after reopening', async () => {
    const file = await tempFile();
    const a = await FileAuditLog.open({ file, logger: silentLogger() });
    a.append({ type: 'auth.login', actor: 'usr_1', ip: '127.0.0.1' });
    a.append({ type: 'stream_key.rotated', actor: 'usr_1', target: 'st_1' });
    await a.close();
    const b = await FileAuditLog.open({ file, logger: silentLogger() });
    b.append({ type: 'auth.logout', actor: 'usr_1' });
    await b.close();
    const verdict = await verifyAuditLog(file);
    expect(verdict).toMatchObject({ ok: true, verifiedLines: 3, tornTail: false });
    const types = (await readFile(file, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['auth.login', 'stream_key.rotated', 'auth.logout']);
  });

  it('after a crash mid-line, reopening sets the torn tail aside and the chain verifies', async () => {
    const file = await tempFile();
    const a = await FileAuditLog.open({ file, logger: silentLogger() });
    a.append({ type: 'auth.login', actor: 'usr_1' });
    await a.close();
    await appendFile(file, '{"seq":2,"ts":"2026-');
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, verifiedLines: 1, tornTail: true });
    const b = await FileAuditLog.open({ file, logger: silentLogger() });
    b.append({ type: 'auth.login', actor: 'usr_2' });
    await b.close();
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, verifiedLines: 3, tornTail: false });
    const types = (await readFile(file, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['auth.login', 'audit.torn_tail_recovered', 'auth.login']);
  });

  it('refuses to extend a tampered log', async () => {
    const file = await tempFile();
    const a = await FileAuditLog.open({ file, logger: silentLogger() });
    a.append({ type: 'auth.login', actor: 'usr_1' });
    a.append({ type: 'auth.login', actor: 'usr_2' });
    await a.close();
    await writeFile(file, (await readFile(file, 'utf8')).replace('usr_1', 'usr_9'));
    await expect(FileAuditLog.open({ file, logger: silentLogger() })).rejects.toBeInstanceOf(AuditLogCorruptError);
  });
});
