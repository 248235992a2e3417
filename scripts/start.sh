#!/usr/bin/env bash
# Runs the server from a fresh checkout: installs npm packages when missing, builds, starts.
# Extra arguments go to the zenlive command (e.g. --config examples/config/livestream-simple.json).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.build.json
exec node dist/cli/main.js "$@"
