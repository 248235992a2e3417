import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentLength, normalizeContent } from './normalize.js';

// eslint-disable-next-line no-control-regex -- the test looks for control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('normalizeContent', () => {
  it('output is NFC, has no control characters or outer spaces, and normalising again changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = normalizeContent(s);
        expect(out.normalize('NFC')).toBe(out);
        expect(CONTROL.test(out)).toBe(false);
        expect(out).toBe(out.trim());
        expect(normalizeContent(out)).toBe(out);
      }),
    );
  });

  it('text without controls keeps its characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        fc.pre(!CONTROL.test(s) && !/[\u2028\u2029]/.test(s));
        expect(normalizeContent(s)).toBe(s.normalize('NFC').trim());
      }),
    );
  });

  it('composes, strips and flattens', () => {
    expect(normalizeContent('e\u0301')).toBe('\u00e9');
    expect(normalizeContent('  hi\u0000 there\u0007 ')).toBe('hi there');
    expect(normalizeContent('line1\r\nline2\tx')).toBe('line1 line2 x');
    expect(normalizeContent('\u202eevil')).toBe('evil');
    expect(normalizeContent('<b>kept</b> & "verbatim"')).toBe('<b>kept</b> & "verbatim"');
    expect(normalizeContent('👨‍👩‍👧')).toBe('👨‍👩‍👧');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(contentLength('😀😀')).toBe(2);
    expect(contentLength('abc')).toBe(3);
  });
});
