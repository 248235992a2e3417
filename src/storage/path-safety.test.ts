import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoragePathError } from './errors.js';
import { LocalStorage } from './local-storage.js';
import { safeKey } from './path-safety.js';

const root = mkdtempSync(join(tmpdir(), 'zenlive-paths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const storage = new LocalStorage({ root });

const REFUSED = [
  '',
  '..',
  '.',
  '../secret',
  'a/../../secret',
  'recordings/../../etc/passwd',
  'a/./b',
  '/etc/passwd',
  '//server/share',
  'a//b',
  'a/',
  'a\u0000b',
  'a\nb',
  '%2e%2e/secret',
  '%2E%2E%2Fsecret',
  'a/%2e%2e/%2e%2e/secret',
  '..%2fsecret',
  '%252e%252e/secret',
  'a\\..\\..\\secret',
  '..\\secret',
  'C:/Windows/win.ini',
  'c:secret',
  'a/\u202e/b',
  'x'.repeat(1025),
];

describe('storage keys', () => {
  it.each(REFUSED.map((k) => [JSON.stringify(k).slice(0, 60), k]))('refuses %s', (_name, key) => {
    expect(() => safeKey(key)).toThrow(StoragePathError);
    expect(() => storage.pathOf(key)).toThrow(StoragePathError);
  });

  it('accepts plain relative keys and maps them under the root', () => {
    for (const key of ['recordings/live_20250101T000000Z_p1_abc.mp4', 'thumbnails/a/00001-320x180.jpg', 'a b/c-d_e.f', '...', 'x@y=z+1,2']) {
      expect(safeKey(key)).toBe(key);
      expect(storage.pathOf(key)).toBe(resolve(root, key));
    }
  });

  it('never maps any key outside the root: each key is refused or lands strictly inside (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('..', '.', '', '/', '\\', '%2e', '%2f', '%00', '\u0000', 'a', 'b.c', '..a', 'C:', '~', ' '),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), fc.constantFrom('', '/'), (pieces, joiner) => {
        const key = pieces.join(joiner);
        let path: string;
        try {
          path = storage.pathOf(key);
        } catch (err) {
          expect(err).toBeInstanceOf(StoragePathError);
          return;
        }
        const rel = relative(root, path);
        expect(rel === '' || isAbsolute(rel) || rel.split(sep)[0] === '..' || resolve(root, rel) !== path).toBe(false);
        expect(key.split('/')).not.toContain('..');
        expect(key.includes('%') || key.includes('\\') || key.includes('\u0000')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('a refused key reaches neither the disk nor the listing', async () => {
    await expect(storage.put('../escape.txt', Buffer.from('x'))).rejects.toBeInstanceOf(StoragePathError);
    await expect(storage.get('%2e%2e/escape.txt')).rejects.toBeInstanceOf(StoragePathError);
    await expect(storage.delete('/etc/hostname')).rejects.toBeInstanceOf(StoragePathError);
    await expect(storage.list('../')).rejects.toBeInstanceOf(StoragePathError);
  });
});
