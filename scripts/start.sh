#!/usr/bin/env bash
# Runs the server from a fresh checkout: installs npm packages when missing, builds, starts.
# Extra arguments go to the zenlive command (e.g. --config examples/config/livestream-simple.json).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# The native SRTP sender (npm ci builds it; a checkout installed before it existed has not).
[ -f native/srtp-send/build/srtp_send.node ] || node scripts/build-native.mjs
npx tsc -p tsconfig.build.json
# The same V8 flag as the zenlive command's shebang (see src/cli/main.ts).
exec node --max-semi-space-size=1 dist/cli/main.js "$@"
