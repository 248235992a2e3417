import type { AuditEvent, AuditRecord } from './audit-log-format.js';

/** Where areas append security-relevant actions; appends never throw and never block the caller. */
export interface AuditSink {
  append(event: AuditEvent): void;
}

/** Keeps records in memory (embedded mode without an audit file, and tests); bounded. */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  private seq = 0;

  constructor(private readonly maxRecords = 10_000) {}

  append(event: AuditEvent): void {
    this.records.push({ ...event, seq: ++this.seq, ts: new Date().toISOString(), prev: '' });
    if (this.records.length > this.maxRecords) this.records.shift();
  }

  /** Records of one type, newest last. */
  ofType(type: string): AuditRecord[] {
    return this.records.filter((r) => r.type === type);
  }
}
