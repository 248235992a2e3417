#!/usr/bin/env bash
# The whole test suite, as the README and CI run it: provisions the real peers (ffmpeg, chromium,
# redis-server) and npm packages when missing, then type-checks, lints, checks the import
# arrows, and runs every unit, property and end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/provision.sh
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The native SRTP sender: rebuilt every run (a second) so a changed C file is always tested.
node scripts/build-native.mjs --required
echo "== type-check"
npx tsc -p tsconfig.json --noEmit
echo "== lint"
npx eslint .
echo "== import arrows"
npx depcruise src --config .dependency-cruiser.cjs
echo "== tests"
npx vitest run
