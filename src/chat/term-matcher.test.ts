import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmoteOnly } from './emotes.js';
import { TermMatcher } from './term-matcher.js';

describe('TermMatcher', () => {
  const m = new TermMatcher(['darn', 'heck', 'sassy', 'lol']);

  it('catches look-alike substitutions, case and stretched letters', () => {
    for (const s of ['DARN it', 'd4rn', 'd@rn', 'h3ck', 'he.c.k', 's4$$y', '5a55y', 'l0l', '1o1', '|0|', 'daaarn']) expect(m.matches(s), s).toBe(true);
  });

  it('matches whole words only', () => {
    for (const s of ['darnation', 'checkers', 'lollipop', 'tramsassy']) expect(m.matches(s), s).toBe(false);
  });

  it('masks each hit with as many asterisks', () => {
    expect(m.mask('well d4rn, what the h3ck')).toBe('well ****, what the ****');
    expect(m.mask('nothing here')).toBe('nothing here');
  });

  it('an empty list matches nothing', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(new TermMatcher([]).matches(s)).toBe(false);
      }),
    );
  });

  it('masking never changes the length in code points and leaves no hit behind', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('darn', 'd4rn', 'hello', ' ', 'heck', 'x', ',', 'L0L')), (parts) => {
        const s = parts.join('');
        const out = m.mask(s);
        expect([...out].length).toBe([...s].length);
        expect(m.matches(out)).toBe(false);
      }),
    );
  });

  it('terms with regular-expression characters are taken literally', () => {
    const special = new TermMatcher(['a.b', '(x)']);
    expect(special.matches('a.b')).toBe(true);
    expect(special.matches('axb')).toBe(false);
    expect(special.matches('(x)')).toBe(true);
  });
});

describe('isEmoteOnly', () => {
  it('accepts emote codes and emoji, refuses words', () => {
    for (const s of [':kappa:', ':pog: :pog:', '😀', '👍🏽 ❤️', '🇫🇷', '👨‍👩‍👧']) expect(isEmoteOnly(s), s).toBe(true);
    for (const s of ['hello', ':kappa: hi', '123', '#', 'gg 😀']) expect(isEmoteOnly(s), s).toBe(false);
  });
});
