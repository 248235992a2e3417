// C0/C1 controls and DEL; bidi embeddings/overrides/isolates, which can make text read backwards.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\t\n\r\u2028\u2029]+/g;

/**
 * Unicode NFC, line breaks and tabs turned into one space, other control characters removed,
 * outer whitespace trimmed. Nothing else changes: clients escape what they display.
 */
export function normalizeContent(raw: string): string {
  return raw.normalize('NFC').replace(LINE_BREAKS, ' ').replace(CONTROL, '').trim().normalize('NFC');
}

/** Length as users count it: code points, not UTF-16 units. */
export function contentLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
