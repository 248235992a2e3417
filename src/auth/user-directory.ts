import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserExistsError, UserNotFoundError } from './errors.js';
import type { Role } from './permissions.js';

/** A user as the API shows it (never the hash). */
export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

interface StoredUser extends User {
  passwordHash: string;
}

/** An account that checked out: who it is and what role it has. */
export interface VerifiedAccount {
  userId: string;
  username: string;
  role: Role;
}

/** The hook an embedding app plugs in to use its own accounts instead of the built-in directory. */
export type VerifyCredentials = (username: string, password: string) => Promise<VerifiedAccount | undefined>;

/** A page of a list and the cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

// argon2id (algorithm 2); @node-rs/argon2 declares the enum `const`, so name the value.
const ARGON2ID = 2 as Algorithm;

export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;

/**
 * The built-in user directory: argon2id password hashes, kept in memory and, when a file is given,
 * written to it as JSON atomically (temp file + rename) after every change.
 */
export class UserDirectory {
  private readonly users = new Map<string, StoredUser>();
  // A hash to verify against when the user does not exist, so a miss costs as much as a wrong password.
  private dummyHash: Promise<string> | undefined;
  private writes: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | undefined) {}

  /** In memory only. */
  static memory(): UserDirectory {
    return new UserDirectory(undefined);
  }

  /** Loads `file` when it exists; changes are written back to it. */
  static async open(file: string): Promise<UserDirectory> {
    const dir = new UserDirectory(file);
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as { users?: StoredUser[] };
      for (const u of data.users ?? []) dir.users.set(u.id, u);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return dir;
  }

  get size(): number {
    return this.users.size;
  }

  async create(input: { username: string; password: string; role: Role }): Promise<User> {
    if (this.findStored(input.username) !== undefined) throw new UserExistsError(input.username);
    const passwordHash = await hash(input.password, { algorithm: ARGON2ID });
    // Checked again: another create may have finished while we hashed.
    if (this.findStored(input.username) !== undefined) throw new UserExistsError(input.username);
    const user: StoredUser = { id: `usr_${randomUUID()}`, username: input.username, role: input.role, createdAt: new Date().toISOString(), passwordHash };
    this.users.set(user.id, user);
    await this.persist();
    return publicUser(user);
  }

  get(id: string): User | undefined {
    const u = this.users.get(id);
    return u === undefined ? undefined : publicUser(u);
  }

  findByUsername(username: string): User | undefined {
    const u = this.findStored(username);
    return u === undefined ? undefined : publicUser(u);
  }

  /** Users in creation order, `limit` at a time; `cursor` is the last id of the previous page. */
  list(limit: number, cursor?: string): Page<User> {
    const all = [...this.users.values()];
    const start = cursor === undefined ? 0 : all.findIndex((u) => u.id === cursor) + 1;
    const items = all.slice(start, start + limit).map(publicUser);
    const last = items[items.length - 1];
    return { items, ...(start + limit < all.length && last !== undefined ? { nextCursor: last.id } : {}) };
  }

  async setRole(id: string, role: Role): Promise<User> {
    const u = this.users.get(id);
    if (u === undefined) throw new UserNotFoundError(id);
    u.role = role;
    await this.persist();
    return publicUser(u);
  }

  async setPassword(id: string, password: string): Promise<void> {
    const u = this.users.get(id);
    if (u === undefined) throw new UserNotFoundError(id);
    u.passwordHash = await hash(password, { algorithm: ARGON2ID });
    await this.persist();
  }

  async delete(id: string): Promise<void> {
    if (!this.users.delete(id)) throw new UserNotFoundError(id);
    await this.persist();
  }

  /** The built-in `VerifyCredentials`: argon2id verify, with equal work for unknown users. */
  readonly verifyCredentials: VerifyCredentials = async (username, password) => {
    const u = this.findStored(username);
    if (u === undefined) {
      this.dummyHash ??= hash('not-a-password', { algorithm: ARGON2ID });
      await verify(await this.dummyHash, password);
      return undefined;
    }
    if (!(await verify(u.passwordHash, password))) return undefined;
    return { userId: u.id, username: u.username, role: u.role };
  };

  private findStored(username: string): StoredUser | undefined {
    for (const u of this.users.values()) if (u.username === username) return u;
    return undefined;
  }

  private persist(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const snapshot = JSON.stringify({ users: [...this.users.values()] }, null, 2);
    // Serialised so an older snapshot never overwrites a newer one.
    this.writes = this.writes.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, snapshot, { mode: 0o600 });
      await rename(tmp, file);
    });
    return this.writes;
  }
}

function publicUser(u: StoredUser): User {
  return { id: u.id, username: u.username, role: u.role, createdAt: u.createdAt };
}
