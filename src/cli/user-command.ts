import { parseArgs } from 'node:util';
import { isRole, ROLES, UserDirectory, USERNAME_PATTERN, UserExistsError } from '../auth/index.js';
import { loadConfig } from '../config/index.js';
import { readNewPassword, type CommandIo } from './read-password.js';

export const USER_USAGE = `Usage: zenlive user add NAME --role ROLE [--users-file FILE | --config FILE]

Adds a user to the built-in user directory (auth.users_file). The password is read from stdin
(first line) or prompted for on a terminal; at least 12 characters.
Roles: ${ROLES.join(', ')}.`;

const MIN_PASSWORD = 12;

/** `zenlive user add NAME --role ROLE`: bootstraps an account (typically the first admin). Returns the exit code. */
export async function runUserCommand(argv: readonly string[], io: CommandIo, env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: { role: { type: 'string' }, 'users-file': { type: 'string' }, config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    io.stderr.write(`zenlive user: ${(err as Error).message}\n${USER_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, name, ...extra] = positionals;
  if (values.help === true) {
    io.stdout.write(`${USER_USAGE}\n`);
    return 0;
  }
  if (action !== 'add' || name === undefined || extra.length > 0) {
    io.stderr.write(`${USER_USAGE}\n`);
    return 2;
  }
  if (!USERNAME_PATTERN.test(name)) {
    io.stderr.write(`zenlive user: "${name}" is not a valid user name (letters, digits and _ . @ -, at most 64)\n`);
    return 2;
  }
  const role = values.role ?? 'viewer';
  if (!isRole(role)) {
    io.stderr.write(`zenlive user: --role must be one of ${ROLES.join(', ')}\n`);
    return 2;
  }
  let file = values['users-file'];
  if (file === undefined) {
    const configFile = values.config ?? env['ZENLIVE_CONFIG'];
    const config = await loadConfig({ ...(configFile !== undefined ? { file: configFile } : {}), env, overrides: {} });
    file = config.auth.users_file;
  }
  if (file === '') {
    io.stderr.write('zenlive user: no users file: pass --users-file FILE or set auth.users_file in the config\n');
    return 2;
  }
  const password = await readNewPassword(io);
  if (password.length < MIN_PASSWORD) {
    io.stderr.write(`zenlive user: the password needs at least ${MIN_PASSWORD} characters\n`);
    return 2;
  }
  const users = await UserDirectory.open(file);
  try {
    const user = await users.create({ username: name, password, role });
    io.stdout.write(`added ${user.username} (${user.role}) as ${user.id} to ${file}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UserExistsError) {
      io.stderr.write(`zenlive user: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
