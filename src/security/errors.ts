import { ZenLiveError } from '../base/index.js';

/** An existing audit log does not verify: it is not extended, so tampering is not buried under new lines. */
export class AuditLogCorruptError extends ZenLiveError {
  readonly code = 'AUDIT_LOG_CORRUPT';
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`audit log ${file} does not verify at line ${line}: ${detail}`);
  }
}
