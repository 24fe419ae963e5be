#!/bin/bash
# make bench: certificate generation and verification time per certificate, then the
# throughput of the real stack (nginx + workers + PostgreSQL) under wrk.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

echo "== certificates (one core, in process)"
build/bench/bench_cert 100

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VAR=$ROOT/build/bench/var-$$
trap 'PORT=$PORT VAR=$VAR scripts/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"' EXIT
PORT=$PORT VAR=$VAR scripts/stack.sh start >/dev/null
NUMBER=$(bin/esonrctl --var "$VAR" session roster 1 >/dev/null 2>&1; \
	psql -h "$VAR/pg/socket" -U postgres -d esonr -Atc "SELECT number FROM certificates LIMIT 1")
URL=http://127.0.0.1:$PORT
for path in / /login "/verify/$NUMBER"; do
	echo "== wrk, 10 s, 16 connections: GET $path"
	wrk -t2 -c16 -d10s "$URL$path" | grep -E "Requests/sec|Latency|Non-2xx" || true
done
