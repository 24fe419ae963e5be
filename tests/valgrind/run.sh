#!/bin/bash
# make valgrind: the integration suite against the portal and esonrctl running under
# valgrind (memcheck): no invalid access, no use of uninitialised memory, no leak.
#
# The programs are the normal build (bin/), each started through a wrapper in
# build/valgrind/bin that runs it under valgrind with one log per process in
# build/valgrind/logs/ (the portal's parent and every worker it forks included). After the
# suite, every log must report 0 errors and nothing definitely or indirectly lost
# (memory still reachable at exit, such as the parent's templates, is not a leak).
# TEST=... selects tests as for tests/integration/run.sh.
# Under valgrind a standard Argon2id hash takes about a second, and the suite makes hundreds:
# this stack (and the esonrctl the tests run) hashes at libsodium's minimum cost instead
# (ESONR_PASSWORD_COST=test, a setting for test stacks only). Memory handling is the same
# code either way; only the number of Argon2 passes changes.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 2; }

WRAP=$ROOT/build/valgrind/bin
LOGS=$ROOT/build/valgrind/logs
rm -rf "$LOGS"
mkdir -p "$WRAP" "$LOGS"
# Every program of bin/ (the portal, esonrctl and the stack's other processes, which
# scripts/stack.sh finds in ESONR_BIN too).
for path in "$ROOT"/bin/*; do
	[ -x "$path" ] && [ -f "$path" ] || continue
	prog=$(basename "$path")
	cat >"$WRAP/$prog" <<-WRAPPER
		#!/bin/sh
		# Written by tests/valgrind/run.sh: $prog under valgrind.
		exec valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \\
			--errors-for-leak-kinds=definite,indirect --track-origins=yes --child-silent-after-fork=no \\
			--log-file=$LOGS/$prog.%p.log $ROOT/bin/$prog "\$@"
	WRAPPER
	chmod 755 "$WRAP/$prog"
done
# The stack's user (esonr, when root) runs the portal and writes its log here too.
chmod 1777 "$LOGS"
chmod o+rx "$ROOT/build" "$ROOT/build/valgrind" "$WRAP"

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
set +e
ESONR_BIN=$WRAP ESONR_PASSWORD_COST=test ESONR_TEST_TIMEOUT=${ESONR_TEST_TIMEOUT:-1200} tests/integration/run.sh 2>&1 |
	sed -u -E 's/^((not )?ok( [0-9]+)? - )integration/\1valgrind integration/' | tee "$RESULTS"
set -e

# One check per log: a process with a memory error or a leak fails by name.
for log in "$LOGS"/*.log; do
	[ -f "$log" ] || continue
	name=$(basename "$log" .log)
	if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write|free)|uninitialised' "$log"; then
		echo "not ok - valgrind: $name ran clean (see $log)" | tee -a "$RESULTS"
		sed 's/^/# /' "$log" | head -40
	elif [ -s "$log" ]; then
		# --quiet: a clean run writes nothing, so anything else is worth reading
		echo "not ok - valgrind: $name ran clean (valgrind wrote $log)" | tee -a "$RESULTS"
		sed 's/^/# /' "$log" | head -20
	fi
done
logs=$(find "$LOGS" -name '*.log' | wc -l)
echo "ok - valgrind: $logs processes ran under valgrind" | tee -a "$RESULTS"
passed=$(grep -cE '^ok( [0-9]+)? - ' "$RESULTS" || true)
failed=$(grep -cE '^not ok( [0-9]+)? - ' "$RESULTS" || true)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
