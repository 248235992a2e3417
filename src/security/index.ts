export { FileAuditLog, type FileAuditLogOptions } from './audit-log.js';
export { MemoryAuditSink, type AuditSink } from './audit-sink.js';
export { verifyAuditLog, verifyAuditText, readAuditHead, type AuditVerification, type AuditProblem } from './audit-log-verify.js';
export { GENESIS_HASH, hashLine, type AuditEvent, type AuditRecord, type AuditHead } from './audit-log-format.js';
export { AuditLogCorruptError } from './errors.js';
