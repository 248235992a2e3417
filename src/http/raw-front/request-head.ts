/** The parts of an HTTP/1.1 request head the raw front needs. */
export interface RequestHead {
  method: string;
  url: string;
  /** Bytes of the head, blank line included: where the next request starts. */
  length: number;
  keepAlive: boolean;
  /**
   * Something only the full server should handle: a body, an upgrade, `Expect`, HTTP/1.0 or any
   * other version. The raw front then hands the whole connection over.
   */
  needsFullServer: boolean;
  range: string | undefined;
  ifNoneMatch: string | undefined;
  userAgent: string | undefined;
  authorization: string | undefined;
  origin: string | undefined;
}

/** Why a head was refused; the connection answers 400 (or 431) and closes. */
export interface RequestHeadError {
  error: 'bad-request' | 'head-too-large';
  message: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');
// Lengths of the header names read below: any other header is stepped over without copying its name or value.
const READ_NAME_LENGTHS = new Set(['range', 'if-none-match', 'user-agent', 'authorization', 'origin', 'connection', 'content-length', 'transfer-encoding', 'upgrade', 'expect'].map((n) => n.length));
const METHOD = /^[A-Z]{1,16}$/;
// Request targets in origin form, visible ASCII only (RFC 9112 §3.2).
const TARGET = /^\/[\x21-\x7e]*$/;

function bad(message: string): RequestHeadError {
  return { error: 'bad-request', message };
}

/**
 * Parses the request head starting at `start`: the head, `undefined` when more bytes are needed,
 * or an error. Only the framing and the few headers the hot path reads are looked at; anything
 * that changes framing (a body, an upgrade) marks the request for the full server rather than
 * being half-handled here, so the two parsers can never disagree about where a request ends.
 */
export function parseRequestHead(buf: Buffer, start: number, maxBytes: number): RequestHead | RequestHeadError | undefined {
  const end = buf.indexOf(HEAD_END, start);
  if (end < 0) return buf.length - start > maxBytes ? { error: 'head-too-large', message: `request head over ${maxBytes} bytes` } : undefined;
  if (end - start > maxBytes) return { error: 'head-too-large', message: `request head over ${maxBytes} bytes` };
  const text = buf.toString('latin1', start, end);
  const lineEnd = text.indexOf('\r\n');
  const requestLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const sp1 = requestLine.indexOf(' ');
  const sp2 = requestLine.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0) return bad('malformed request line');
  const method = requestLine.slice(0, sp1);
  const url = requestLine.slice(sp1 + 1, sp2);
  const version = requestLine.slice(sp2 + 1);
  if (!METHOD.test(method)) return bad('malformed method');
  if (!version.startsWith('HTTP/1.')) return bad('unsupported HTTP version');
  const head: RequestHead = {
    method,
    url,
    length: end + 4 - start,
    keepAlive: true,
    needsFullServer: version !== 'HTTP/1.1' || !TARGET.test(url),
    range: undefined,
    ifNoneMatch: undefined,
    userAgent: undefined,
    authorization: undefined,
    origin: undefined,
  };
  let pos = lineEnd < 0 ? text.length : lineEnd + 2;
  while (pos < text.length) {
    let next = text.indexOf('\r\n', pos);
    if (next < 0) next = text.length;
    const colon = text.indexOf(':', pos);
    if (colon < 0 || colon >= next || colon === pos) return bad('malformed header line');
    const first = text.charCodeAt(pos);
    // Obsolete line folding and whitespace before the colon are refused (RFC 9112 §5.1, §5.2).
    if (first === 0x20 || first === 0x09 || text.charCodeAt(colon - 1) === 0x20 || text.charCodeAt(colon - 1) === 0x09) return bad('malformed header line');
    if (!READ_NAME_LENGTHS.has(colon - pos)) {
      pos = next + 2;
      continue;
    }
    const name = text.slice(pos, colon).toLowerCase();
    const value = text.slice(colon + 1, next).trim();
    switch (name) {
      case 'range':
        head.range = value;
        break;
      case 'if-none-match':
        head.ifNoneMatch = value;
        break;
      case 'user-agent':
        head.userAgent = value;
        break;
      case 'authorization':
        head.authorization = value;
        break;
      case 'origin':
        head.origin = value;
        break;
      case 'connection': {
        const tokens = value.toLowerCase();
        if (tokens.includes('close')) head.keepAlive = false;
        if (tokens.includes('upgrade')) head.needsFullServer = true;
        break;
      }
      case 'content-length':
        if (value !== '0') head.needsFullServer = true;
        break;
      case 'transfer-encoding':
      case 'upgrade':
      case 'expect':
        head.needsFullServer = true;
        break;
      default:
        break;
    }
    pos = next + 2;
  }
  return head;
}

export function isHeadError(v: RequestHead | RequestHeadError): v is RequestHeadError {
  return 'error' in v;
}

