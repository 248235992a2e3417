import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserExistsError, UserNotFoundError } from './errors.js';
import { UserDirectory } from './user-directory.js';

describe('UserDirectory', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('stores argon2id hashes in its JSON file, never the password, and reloads them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-users-'));
    dirs.push(dir);
    const file = join(dir, 'users.json');
    const users = await UserDirectory.open(file);
    const alice = await users.create({ username: 'alice', password: 'a long enough password', role: 'admin' });
    await expect(users.create({ username: 'alice', password: 'another password!', role: 'viewer' })).rejects.toBeInstanceOf(UserExistsError);
    const raw = await readFile(file, 'utf8');
    expect(raw).toContain('$argon2id$');
    expect(raw).not.toContain('a long enough password');
    // Written through a temp file and a rename: nothing else is left in the directory.
    expect(await readdir(dir)).toEqual(['users.json']);

    const again = await UserDirectory.open(file);
    expect(again.get(alice.id)).toEqual(alice);
    expect(await again.verifyCredentials('alice', 'a long enough password')).toEqual({ userId: alice.id, username: 'alice', role: 'admin' });
    expect(await again.verifyCredentials('alice', 'wrong')).toBeUndefined();
    expect(await again.verifyCredentials('nobody', 'a long enough password')).toBeUndefined();
  });

  it('changes role and password, deletes, and pages through the list', async () => {
    const users = UserDirectory.memory();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await users.create({ username: `u${i}`, password: 'password-password', role: 'viewer' }));
    const first = users.list(2);
    expect(first.items.map((u) => u.username)).toEqual(['u0', 'u1']);
    const second = users.list(2, first.nextCursor);
    expect(second.items.map((u) => u.username)).toEqual(['u2', 'u3']);
    const last = users.list(2, second.nextCursor);
    expect(last.items.map((u) => u.username)).toEqual(['u4']);
    expect(last.nextCursor).toBeUndefined();
    const u0 = made[0]!;
    expect((await users.setRole(u0.id, 'moderator')).role).toBe('moderator');
    await users.setPassword(u0.id, 'a brand new password');
    expect(await users.verifyCredentials('u0', 'password-password')).toBeUndefined();
    expect((await users.verifyCredentials('u0', 'a brand new password'))?.role).toBe('moderator');
    await users.delete(u0.id);
    await expect(users.delete(u0.id)).rejects.toBeInstanceOf(UserNotFoundError);
  });
});
