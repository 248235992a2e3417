import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../base/index.js';
import { formatRecord, GENESIS_HASH, hashLine, type AuditEvent, type AuditHead } from './audit-log-format.js';
import type { AuditSink } from './audit-sink.js';
import { verifyAuditText } from './audit-log-verify.js';
import { AuditLogCorruptError } from './errors.js';

/** Where the log lives and who hears about write failures. */
export interface FileAuditLogOptions {
  file: string;
  logger: Logger;
}

/**
 * The append-only audit log: JSON lines, each with the SHA-256 of the line before it, and a head
 * file (`FILE.head`) naming the newest line. Appends are queued and written in order; each line is
 * one write with its newline, so a crash leaves at most one torn line at the end.
 */
export class FileAuditLog implements AuditSink {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly log: Logger;

  private constructor(
    private readonly options: FileAuditLogOptions,
    private readonly handle: FileHandle,
    private seq: number,
    private prev: string,
  ) {
    this.log = options.logger.child({ component: 'audit' });
  }

  /**
   * Opens (or creates) a log and continues its chain. A torn last line from a crash is moved to
   * `FILE.torn-<time>` and recorded; a log that fails verification is refused (typed error) so a
   * tampered log is never silently extended.
   */
  static async open(options: FileAuditLogOptions): Promise<FileAuditLog> {
    let text = '';
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const verdict = verifyAuditText(text);
    if (!verdict.ok) throw new AuditLogCorruptError(options.file, verdict.firstBadLine ?? 0, verdict.message);
    let tornBytes = 0;
    if (verdict.tornTail) {
      const cut = text.lastIndexOf('\n') + 1;
      const torn = text.slice(cut);
      tornBytes = Buffer.byteLength(torn);
      await writeFile(`${options.file}.torn-${Date.now()}`, torn);
      text = text.slice(0, cut);
      await writeFile(`${options.file}.tmp`, text);
      await rename(`${options.file}.tmp`, options.file);
    }
    const lines = text.length === 0 ? [] : text.slice(0, -1).split('\n');
    const last = lines[lines.length - 1];
    const handle = await open(options.file, 'a');
    const logFile = new FileAuditLog(options, handle, lines.length, last === undefined ? GENESIS_HASH : hashLine(last));
    if (tornBytes > 0) logFile.append({ type: 'audit.torn_tail_recovered', actor: 'system', data: { bytes: tornBytes } });
    return logFile;
  }

  append(event: AuditEvent): void {
    if (this.closed) {
      this.log.error({ type: event.type }, 'audit event after close was dropped');
      return;
    }
    const line = formatRecord({ ...event, seq: ++this.seq, ts: new Date().toISOString(), prev: this.prev });
    this.prev = hashLine(line);
    const head: AuditHead = { seq: this.seq, hash: this.prev };
    this.queue = this.queue.then(() => this.write(line, head));
  }

  /** Resolves when everything appended so far is on disk. */
  flush(): Promise<void> {
    return this.queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.handle.close();
  }

  private async write(line: string, head: AuditHead): Promise<void> {
    try {
      await this.handle.write(`${line}\n`);
      await this.handle.datasync();
      // The head file is replaced atomically: a crash leaves the old head or the new one.
      const tmp = `${this.options.file}.head.tmp`;
      await writeFile(tmp, JSON.stringify(head));
      await rename(tmp, `${this.options.file}.head`);
    } catch (err) {
      this.log.error({ err, seq: head.seq }, 'audit line not written');
    }
  }
}
