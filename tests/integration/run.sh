#!/bin/bash
# Integration tests over a real stack (PostgreSQL + portal + nginx) of their own:
# a free port, a fresh VAR under build/itest/, no demo data. Runs every
# tests/integration/test_*.py with ESONR_URL, ESONR_VAR and ESONR_ROOT set and
# prints their "ok - ..." / "not ok - ..." lines, the test file name prefixed.
# TEST selects what runs, comma-separated: TEST=test_booking (one file),
# TEST=test_booking::test_waiting_list (one test of it; see harness.py), or several:
# TEST=test_booking::test_waiting_list,test_stack.
# The stack is always stopped at the end; its VAR is kept only if something failed.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VAR=$ROOT/build/itest/var-$$
FAILED=0

# The suite signs up hundreds of accounts and uploads many certificates from 127.0.0.1:
# its stack (and any restart a test makes of it) gets limits it never reaches. The limits
# themselves are tested by test_rate_limits.py on a stack of its own.
export ESONR_LIMIT_RATE=1000r/s ESONR_LIMIT_BURST=1000 ESONR_LIMIT_REGISTER=1000000 \
	ESONR_LIMIT_PASSWORD=1000000 ESONR_LIMIT_VERIFY=1000000

stop_stack() {
	PORT=$PORT VAR=$VAR scripts/stack.sh stop >/dev/null 2>&1 || true
}

# Stop on every exit, Ctrl-C included; drop the state of a fully green run.
on_exit() {
	stop_stack
	if [ "$FAILED" -eq 0 ]; then
		rm -rf "$VAR"
	else
		echo "# integration: stack state and logs kept in $VAR"
	fi
}

start_stack() {
	rm -rf "$VAR"
	mkdir -p "$VAR"
	echo "# integration: starting a stack on 127.0.0.1:$PORT, VAR=$VAR"
	if ! ESONR_DEMO=0 PORT=$PORT VAR=$VAR scripts/stack.sh start >"$VAR/stack-start.log" 2>&1; then
		sed 's/^/# /' "$VAR/stack-start.log"
		echo "not ok - integration: the stack starts (scripts/stack.sh start failed)"
		FAILED=1
		exit 1
	fi
	echo "ok - integration: the stack starts"
}

# One test file (and the names of the tests to run in it, if given): its check
# names get the file's name; a crash is one failure.
run_test() {
	local file=$1 name rc out
	shift
	name=integration/$(basename "$file" .py)
	out=$(mktemp)
	set +e
	ESONR_URL=http://127.0.0.1:$PORT ESONR_VAR=$VAR ESONR_ROOT=$ROOT \
		python3 "$file" "$@" 2>&1 | awk -v p="$name" '{
			if (match($0, /^(not )?ok( [0-9]+)? - /))
				print substr($0, 1, RLENGTH) p ": " substr($0, RLENGTH + 1)
			else
				print
			fflush()
		}' | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	if grep -qE '^not ok' "$out"; then
		FAILED=1
	elif [ "$rc" -ne 0 ]; then
		echo "not ok - $name (exit $rc without a failed check)"
		FAILED=1
	fi
	rm -f "$out"
}

# A sanitized build (make test-sanitized) writes its reports into the portal's log.
sanitizer_reports() {
	local log=$VAR/log/portal.log
	if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$log" 2>/dev/null; then
		grep -E -A12 'ERROR: AddressSanitizer|runtime error:' "$log" | sed 's/^/# /' | head -60
		echo "not ok - integration: the portal ran without sanitizer reports (see $log)"
		FAILED=1
	elif [ -n "${ESONR_BIN:-}" ]; then
		echo "ok - integration: the portal ran without sanitizer reports"
	fi
	# The signer (bin/esonr-signer) draws and signs every certificate.
	log=$VAR/log/signer.log
	if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$log" 2>/dev/null; then
		grep -E -A12 'ERROR: AddressSanitizer|runtime error:' "$log" | sed 's/^/# /' | head -60
		echo "not ok - integration: the signer ran without sanitizer reports (see $log)"
		FAILED=1
	elif [ -n "${ESONR_BIN:-}" ]; then
		echo "ok - integration: the signer ran without sanitizer reports"
	fi
	log=$VAR/log/mailer.log
	if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$log" 2>/dev/null; then
		grep -E -A12 'ERROR: AddressSanitizer|runtime error:' "$log" | sed 's/^/# /' | head -60
		echo "not ok - integration: the mailer ran without sanitizer reports (see $log)"
		FAILED=1
	elif [ -n "${ESONR_BIN:-}" ]; then
		echo "ok - integration: the mailer ran without sanitizer reports"
	fi
}

# The files and tests named by TEST (see the top).
run_selected() {
	local item file names
	for item in ${TEST//,/ }; do
		file=${item%%::*}
		file=tests/integration/$(basename "${file%.py}").py
		names=
		case $item in *::*) names=${item#*::} ;; esac
		if [ ! -f "$file" ]; then
			echo "not ok - integration: TEST names $item, but there is no $file"
			FAILED=1
			continue
		fi
		# shellcheck disable=SC2086 # names: one test name or none
		run_test "$file" $names
	done
}

main() {
	local file
	trap on_exit EXIT
	trap 'exit 130' INT TERM
	start_stack
	if [ -n "${TEST:-}" ]; then
		run_selected
	else
		for file in tests/integration/test_*.py; do
			[ -f "$file" ] && run_test "$file"
		done
	fi
	sanitizer_reports
	[ "$FAILED" -eq 0 ]
}

main
