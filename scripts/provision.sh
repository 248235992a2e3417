#!/usr/bin/env bash
# Installs the real peers the test suite drives (ffmpeg, chromium, redis-server, nginx-rtmp for
# benchmarks) and the C compiler the native SRTP sender is built with, from Debian's packages when
# they are missing. Idempotent: a machine that has them
# all does nothing.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
if [ "${PROVISION_BENCH:-0}" = "1" ]; then
  command -v nginx >/dev/null 2>&1 || need+=(nginx)
  [ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ] || need+=(libnginx-mod-rtmp)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "provision: missing ${need[*]} and not root; install them with apt-get" >&2
  exit 1
fi

echo "provision: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
