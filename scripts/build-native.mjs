// Builds the zero-copy segment sender (native/zerocopy) with the system C compiler against the
// running Node's own N-API headers: nothing is downloaded. Linux only; elsewhere segments are
// copied into sockets as by any Node server, and this script says so and succeeds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'zerocopy', 'zerocopy.c');
const output = join(root, 'native', 'zerocopy', 'build', 'zerocopy.node');

if (process.platform !== 'linux') {
  console.log('zenlive: zero-copy segment sending is Linux-only; HLS segments will be copied into sockets');
  process.exit(0);
}
const candidates = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
].filter(Boolean);
const headers = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (headers === undefined) {
  console.error(`zenlive: node_api.h not found (looked in ${candidates.join(', ')}); install Node's headers (Debian: libnode-dev) to build native/zerocopy`);
  process.exit(1);
}
mkdirSync(dirname(output), { recursive: true });
const cc = process.env.CC || 'cc';
execFileSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-std=gnu11', `-I${headers}`, source, '-o', output, '-lpthread'], { stdio: 'inherit' });
console.log(`zenlive: built ${output}`);
