// Letters users swap for look-alike digits and symbols; 1 and | stand for both i and l.
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  a: 'a4@',
  b: 'b8',
  e: 'e3',
  g: 'g9',
  i: 'i1!|',
  l: 'l1|',
  o: 'o0',
  s: 's$5',
  t: 't7+',
  z: 'z2',
};

const escapeClass = (s: string): string => s.replace(/[\\\]^-]/g, (c) => `\\${c}`);
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`);

function letterPattern(ch: string): string {
  const alikes = LOOK_ALIKES[ch];
  // A letter may be stretched ("shiiit") and followed by one separator ("s.h.i.t").
  const core = alikes !== undefined ? `[${escapeClass(alikes)}]+` : `${escapeRegExp(ch)}+`;
  return core;
}

function termPattern(term: string): string {
  const letters = [...term.toLowerCase().normalize('NFC')].filter((c) => c.trim() !== '');
  return letters.map(letterPattern).join('[._*\\-]?');
}

/**
 * Finds listed words in text, case-insensitively and through simple look-alike substitutions
 * (4→a, 3→e, @→a, $→s, 0→o, 1→i/l) and stretched letters, only as whole words so that
 * "classic" does not match "ass".
 */
export class TermMatcher {
  private readonly regex: RegExp | undefined;

  constructor(terms: readonly string[]) {
    const patterns = terms.map((t) => t.trim()).filter((t) => t !== '').map(termPattern);
    // Longest first so a longer listed word wins over a listed prefix of it.
    patterns.sort((a, b) => b.length - a.length);
    this.regex = patterns.length === 0 ? undefined : new RegExp(`(?<![\\p{L}\\p{N}])(?:${patterns.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  }

  /** True when the text contains a listed word. */
  matches(text: string): boolean {
    if (this.regex === undefined) return false;
    this.regex.lastIndex = 0;
    return this.regex.test(text);
  }

  /** The text with every listed word replaced by asterisks of the same length. */
  mask(text: string): string {
    if (this.regex === undefined) return text;
    return text.replace(this.regex, (m) => '*'.repeat([...m].length));
  }
}
