import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/base/index.js';
import { UserDirectory } from '../src/auth/index.js';
import { runAuditCommand } from '../src/cli/audit-command.js';
import { runUserCommand } from '../src/cli/user-command.js';
import { FileAuditLog } from '../src/security/index.js';
import { CLI } from './helpers/cli.js';

function io(stdinText: string) {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  return { io: { stdin, stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
}

/** Runs the built `zenlive` command with `input` on stdin. */
function runBuiltCli(args: readonly string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('zenlive user add / audit verify', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function tempDir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'zenlive-auth-cli-'));
    dirs.push(d);
    return d;
  }

  it('user add creates an admin whose password verifies; a second add of the name fails', async () => {
    const file = join(await tempDir(), 'users.json');
    const a = io('a-very-long-admin-password\n');
    expect(await runUserCommand(['add', 'root', '--role', 'admin', '--users-file', file], a.io, {})).toBe(0);
    expect(a.out()).toMatch(/added root \(admin\)/);
    const users = await UserDirectory.open(file);
    expect((await users.verifyCredentials('root', 'a-very-long-admin-password'))?.role).toBe('admin');
    const b = io('another-long-password\n');
    expect(await runUserCommand(['add', 'root', '--role', 'viewer', '--users-file', file], b.io, {})).toBe(1);
    expect(b.err()).toMatch(/already exists/);
  });

  it('user add refuses a short password, an unknown role and a missing users file', async () => {
    const file = join(await tempDir(), 'users.json');
    const short = io('short\n');
    expect(await runUserCommand(['add', 'root', '--role', 'admin', '--users-file', file], short.io, {})).toBe(2);
    expect(short.err()).toMatch(/at least 12/);
    const role = io('a-very-long-admin-password\n');
    expect(await runUserCommand(['add', 'root', '--role', 'king', '--users-file', file], role.io, {})).toBe(2);
    expect(role.err()).toMatch(/--role must be one of admin, publisher, moderator, viewer/);
    const nofile = io('a-very-long-admin-password\n');
    expect(await runUserCommand(['add', 'root', '--role', 'admin'], nofile.io, {})).toBe(2);
    expect(nofile.err()).toMatch(/no users file/);
  });

  it('user add takes the users file from the config (auth.users_file)', async () => {
    const dir = await tempDir();
    const config = join(dir, 'zenlive.json');
    await writeFile(config, JSON.stringify({ auth: { users_file: join(dir, 'from-config.json') } }));
    const r = io('a-very-long-admin-password\n');
    expect(await runUserCommand(['add', 'ops', '--role', 'publisher', '--config', config], r.io, {})).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'from-config.json'), 'utf8'))).toMatchObject({ users: [{ username: 'ops', role: 'publisher' }] });
  });

  it('audit verify: 0 on an intact log, 1 naming the first bad line on an edited one', async () => {
    const file = join(await tempDir(), 'audit.log');
    const log = await FileAuditLog.open({ file, logger: silentLogger() });
    for (let i = 0; i < 4; i++) log.append({ type: 'auth.login', actor: `usr_${i}` });
    await log.close();
    const ok = io('');
    expect(await runAuditCommand(['verify', file], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/^ok: 4 lines verified/);
    await writeFile(file, (await readFile(file, 'utf8')).replace('usr_1', 'usr_X'));
    const bad = io('');
    expect(await runAuditCommand(['verify', file], bad.io)).toBe(1);
    expect(bad.out()).toMatch(/TAMPERED: first bad line 3/);
  });

  it('the built zenlive command runs both subcommands', async () => {
    const dir = await tempDir();
    const users = join(dir, 'users.json');
    const added = await runBuiltCli(['user', 'add', 'root', '--role', 'admin', '--users-file', users], 'a-very-long-admin-password\n');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/added root \(admin\)/);
    const file = join(dir, 'audit.log');
    const log = await FileAuditLog.open({ file, logger: silentLogger() });
    log.append({ type: 'auth.login', actor: 'usr_1' });
    log.append({ type: 'auth.logout', actor: 'usr_1' });
    await log.close();
    expect((await runBuiltCli(['audit', 'verify', file], '')).code).toBe(0);
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, [lines[1], lines[0], ''].join('\n'));
    const swapped = await runBuiltCli(['audit', 'verify', file], '');
    expect(swapped.code).toBe(1);
    expect(swapped.stdout).toMatch(/first bad line 1/);
  });
});
