// Builds ZenLive's native SRTP sender (native/srtp-send) with the system C compiler against the
// running Node's own N-API and OpenSSL headers (OpenSSL itself comes from the Node binary):
// nothing is downloaded. Linux only. At install a sender that cannot be built is not fatal: the
// WHEP viewers' "auto" transport then uses libdatachannel, and this script says why. With
// --required (the test command) it fails instead.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'srtp-send', 'srtp_send.c');
const output = join(root, 'native', 'srtp-send', 'build', 'srtp_send.node');

const required = process.argv.includes('--required');
function giveUp(why) {
  console[required ? 'error' : 'log'](`zenlive: ${why}; streaming.webrtc.viewer_transport "direct" will be unavailable ("auto" uses libdatachannel)`);
  process.exit(required ? 1 : 0);
}

if (process.platform !== 'linux') giveUp('the native SRTP sender is Linux-only');
const candidates = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
].filter(Boolean);
const headers = candidates.find((dir) => existsSync(join(dir, 'node_api.h')) && existsSync(join(dir, 'openssl', 'evp.h')));
if (headers === undefined) giveUp(`node_api.h and openssl/evp.h not found (looked in ${candidates.join(', ')}); install Node's headers to build native/srtp-send`);
mkdirSync(dirname(output), { recursive: true });
const cc = process.env.CC || 'cc';
try {
  execFileSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-std=gnu11', '-DNODE_GYP_MODULE_NAME=srtp_send', `-I${headers}`, source, '-o', output], { stdio: 'inherit' });
} catch (err) {
  giveUp(`building native/srtp-send failed (${err.message})`);
}
console.log(`zenlive: built ${output}`);
