#!/bin/bash
# The whole suite, as `make test` runs it once the unit binaries are built:
#   1. every unit binary, plain (build/test/test_*) and sanitized (build/test-asan/test_*)
#   2. the fuzz replays (build/fuzz/replay_NAME over tests/fuzz/corpus/NAME and the crashers)
#   3. the integration tests over a real stack (tests/integration/run.sh)
#   0. before all of them, the static checks of the source (tests/static/*.py)
# Every check is one line "ok - NAME" or "not ok - NAME ..."; a binary that crashes
# counts as one failure under its own name. The last line is "N passed, N failed";
# exit 0 iff nothing failed.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# Every line shown is also kept here, so that the summary counts what was shown.
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

# A sanitizer report exits with 86, so it cannot pass for an ordinary failed check (1).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86:print_stacktrace=1:halt_on_error=1"

emit() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

# Prefixes the name of each check with $1 ("ok - x" -> "ok - test/test_form: x").
prefix_checks() {
	awk -v p="$1" '{
		if (match($0, /^(not )?ok( [0-9]+)? - /))
			print substr($0, 1, RLENGTH) p ": " substr($0, RLENGTH + 1)
		else
			print
		fflush()
	}'
}

# Runs one test program, shows its output live with prefixed check names, and adds
# one failure line if it died without saying why (signal, sanitizer, timeout, exit
# status other than 1 for "some checks failed").
run_program() {
	local name=$1 out rc checks failures
	shift
	out=$(mktemp)
	set +e
	timeout --kill-after=10 300 "$@" 2>&1 | prefix_checks "$name" | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	cat "$out" >>"$RESULTS"
	checks=$(grep -cE '^(not )?ok( [0-9]+)? - ' "$out" || true)
	failures=$(grep -cE '^not ok( [0-9]+)? - ' "$out" || true)
	rm -f "$out"
	case $rc in
	0) [ "$checks" -gt 0 ] || emit "ok - $name" ;;
	1) [ "$failures" -gt 0 ] || emit "not ok - $name (exit 1 without a failed check)" ;;
	86) emit "not ok - $name (sanitizer error, see above)" ;;
	124 | 137) emit "not ok - $name (timed out after 300 s)" ;;
	*)
		if [ "$rc" -gt 128 ]; then
			emit "not ok - $name (crashed: signal $((rc - 128)))"
		else
			emit "not ok - $name (exit $rc)"
		fi
		;;
	esac
}

# Checks that read the source and need no build (template keys against the handlers).
static_checks() {
	local script
	for script in tests/static/*.py; do
		[ -f "$script" ] || continue
		run_program "static/$(basename "$script" .py)" python3 "$script" "$ROOT"
	done
}

unit_tests() {
	local bin
	for bin in build/test/test_* build/test-asan/test_*; do
		[ -x "$bin" ] && [ -f "$bin" ] || continue # no match, or a .d file
		run_program "${bin#build/}" "$bin"
	done
}

# Optional: only when the fuzz replay programs have been built.
fuzz_replays() {
	local bin target inputs
	for bin in build/fuzz/replay_*; do
		[ -x "$bin" ] && [ -f "$bin" ] || continue
		target=${bin##*/replay_}
		inputs=
		[ -d "tests/fuzz/corpus/$target" ] && inputs="tests/fuzz/corpus/$target"
		if [ -d "tests/fuzz/crashers/$target" ]; then
			inputs="$inputs tests/fuzz/crashers/$target"
		elif [ -d tests/fuzz/crashers ]; then
			inputs="$inputs tests/fuzz/crashers"
		fi
		# shellcheck disable=SC2086 # the input list holds plain directory names
		run_program "fuzz/replay_$target" "$bin" $inputs
	done
}

integration_tests() {
	local rc=0
	set +e
	tests/integration/run.sh 2>&1 | tee -a "$RESULTS"
	rc=${PIPESTATUS[0]}
	set -e
	# run.sh reports its own failures; a silent failure still has to count.
	if [ "$rc" -ne 0 ] && ! grep -qE '^not ok( [0-9]+)? - integration' "$RESULTS"; then
		emit "not ok - integration (tests/integration/run.sh exit $rc)"
	fi
}

summary() {
	local passed failed
	passed=$(grep -cE '^ok( [0-9]+)? - ' "$RESULTS" || true)
	failed=$(grep -cE '^not ok( [0-9]+)? - ' "$RESULTS" || true)
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# The integration suite again, against the portal and esonrctl built with ASan/UBSan
# (build/sanitized/bin): a memory error or undefined behaviour in any handler fails it.
# Leak reports are off there: the long-lived parent's allocations are not leaks.
sanitized_integration_tests() {
	local rc=0
	[ -x build/sanitized/bin/esonr-portal ] && [ -x build/sanitized/bin/esonrctl ] || return 0
	set +e
	ESONR_BIN=$ROOT/build/sanitized/bin ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
		tests/integration/run.sh 2>&1 | sed -u -E 's/^((not )?ok( [0-9]+)? - )integration/\1sanitized integration/' |
		tee -a "$RESULTS"
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ] && ! grep -qE '^not ok( [0-9]+)? - sanitized integration' "$RESULTS"; then
		emit "not ok - sanitized integration (tests/integration/run.sh exit $rc)"
	fi
}

# `tests/run.sh sanitized` runs only that part (make test-sanitized).
case ${1:-all} in
sanitized) sanitized_integration_tests ;;
*)
	static_checks
	unit_tests
	fuzz_replays
	integration_tests
	sanitized_integration_tests
	;;
esac
summary
