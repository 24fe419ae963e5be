#!/bin/bash
# make bench (run it under the suite lock: flock /work/suite.lock make bench):
# certificate generation and verification time per certificate, then a fresh stack of
# its own with realistic data (tests/bench/data.sql), driven with wrk through nginx
# (tests/bench/bench.py prints the table). The stack is stopped and removed at the end.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "== certificates (one core, in process)"
build/bench/bench_cert 100

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VAR=$ROOT/build/bench/var-$$
trap 'PORT=$PORT VAR=$VAR scripts/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"' EXIT
# The demo's certificate is a really issued one: the bulk certificates copy its PDF.
PORT=$PORT VAR=$VAR ESONR_DEMO=1 scripts/stack.sh start >/dev/null
BENCH_URL=http://127.0.0.1:$PORT BENCH_VAR=$VAR BENCH_ROOT=$ROOT python3 tests/bench/bench.py
