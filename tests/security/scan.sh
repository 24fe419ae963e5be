#!/bin/bash
# make security-scan: the portal under Debian's sqlmap and wapiti, on a stack of its own
# with the demo data, signed out and signed in as a candidate, an examiner and the office.
#
#   wapiti   the whole site (crawled from /), per role: sql, blindsql, xss, permanentxss,
#            exec, file, redirect, crlf, ssrf; submits forms with the session's CSRF token
#   sqlmap   every form it finds from the role's start page (--forms --crawl, the CSRF token fetched
#            afresh for each request), and every id-bearing URL with the id marked (*)
#
# The portal logs each request that got past routing, roles and CSRF to a handler
# (ESONR_TRACE_HANDLERS=1), so the summary says how many requests really reached one.
# Reports go under $SCAN_VAR/security/ (default build/security-scan/var/security/):
# wapiti-ROLE.json, sqlmap-ROLE/, summary.txt. Exit 1 on any finding: an injection, an XSS
# or any other wapiti vulnerability, or an answer 500 in nginx's log.
#
# Scratch stack only: the login throttle is switched off in its database (a rule that drops
# inserts into login_failures), or sqlmap's wrong passwords would be answered 429.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SVAR=${SCAN_VAR:-$ROOT/build/security-scan/var}
PORT=${SCAN_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
URL=http://127.0.0.1:$PORT
REPORTS=$SVAR/security
WAPITI_TIME=${SCAN_WAPITI_SECONDS:-120}
SQLMAP_OPTS=${SCAN_SQLMAP_OPTS:---level 1 --risk 1}
MODULES=sql,blindsql,xss,permanentxss,exec,file,redirect,crlf,ssrf
ROLES=${SCAN_ROLES:-visitor candidate examiner office}
PSQL="/usr/lib/postgresql/15/bin/psql -X -qtA -h $SVAR/pg/socket -U postgres -d esonr"

say() { printf 'security-scan: %s\n' "$*"; }
stack() { ESONR_DEMO=1 ESONR_TRACE_HANDLERS=1 ESONR_LIMIT_RATE=1000r/s ESONR_LIMIT_BURST=1000 \
	ESONR_LIMIT_REGISTER=1000000 ESONR_LIMIT_PASSWORD=1000000 ESONR_LIMIT_VERIFY=1000000 \
	PORT=$PORT VAR=$SVAR scripts/stack.sh "$@"; }
trap 'stack stop >/dev/null 2>&1 || true' EXIT

command -v sqlmap >/dev/null && command -v wapiti >/dev/null || {
	say "sqlmap and wapiti are needed (apt-get install sqlmap wapiti)"
	exit 2
}
stack stop >/dev/null 2>&1 || true
rm -rf "$SVAR"
mkdir -p "$SVAR"
stack start >"$SVAR/stack-start.log" 2>&1 || { cat "$SVAR/stack-start.log"; say "the stack did not start"; exit 1; }
mkdir -p "$REPORTS"
$PSQL -c "CREATE RULE security_scan_no_throttle AS ON INSERT TO login_failures DO INSTEAD NOTHING"
python3 tests/security/scan_sessions.py "$URL" "$SVAR" "$REPORTS"

handled() { grep -c '^handler: ' "$SVAR/log/portal.log" || true; }
: >"$REPORTS/summary.txt"
findings=0
for role in $ROLES; do
	cookie=() wcookie=()
	if [ "$role" != visitor ]; then
		cookie=(--cookie="$(cat "$REPORTS/cookie-$role.txt")")
		wcookie=(-c "$REPORTS/cookie-$role.json")
	fi
	before=$(handled)
	started=$(date +%s)
	say "$role: wapiti on the whole site ($WAPITI_TIME s at most)"
	/usr/bin/python3 tests/security/wapiti_x.py -u "$URL/" "${wcookie[@]}" -x "$URL/logout" --skip csrf \
		--flush-session -m "$MODULES" --max-scan-time "$WAPITI_TIME" --scope folder \
		-f json -o "$REPORTS/wapiti-$role.json" >"$REPORTS/wapiti-$role.log" 2>&1 || true
	wvulns=$(python3 -c 'import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print(-1); sys.exit()
print(sum(len(v) for k in ("vulnerabilities", "anomalies") for v in r.get(k, {}).values()))' \
		"$REPORTS/wapiti-$role.json")
	# From each role's own start page, so that the crawl reaches its forms (the office's are
	# two links below /admin).
	case $role in visitor) start=/ ;; candidate) start=/exams ;; examiner) start=/dashboard ;; office) start=/admin ;; esac
	say "$role: sqlmap on every form found from $start"
	sqlmap -u "$URL$start" "${cookie[@]}" --forms --crawl=3 --crawl-exclude='logout' --csrf-token=csrf \
		--batch $SQLMAP_OPTS --ignore-code=400,401,403,404,405,409,410,422,429 \
		--output-dir="$REPORTS/sqlmap-$role" >"$REPORTS/sqlmap-$role.log" 2>&1 || true
	while read -r target; do
		[ -n "$target" ] || continue
		say "$role: sqlmap on $target"
		sqlmap -u "$target" "${cookie[@]}" --batch $SQLMAP_OPTS \
			--ignore-code=400,401,403,404,405,409,410,422,429 --threads=2 \
			--output-dir="$REPORTS/sqlmap-$role" >>"$REPORTS/sqlmap-$role.log" 2>&1 || true
	done <"$REPORTS/urls-$role.txt"
	injectable=$(grep -ciE "parameter '[^']*' (is|appears to be) .*injectable|sqlmap identified the following injection" \
		"$REPORTS/sqlmap-$role.log" || true)
	forms=$(grep -c "^\[[0-9]*/[0-9]*\] Form:" "$REPORTS/sqlmap-$role.log" || true)
	after=$(handled)
	line="$role: wapiti $wvulns vulnerabilities or anomalies; sqlmap $forms forms and $(grep -c . "$REPORTS/urls-$role.txt") id URLs, $injectable injectable parameters; $((after - before)) requests reached a handler; $(($(date +%s) - started)) s"
	say "$line"
	echo "$line" >>"$REPORTS/summary.txt"
	[ "$wvulns" = 0 ] && [ "$injectable" = 0 ] || findings=$((findings + 1))
done
sleep 2 # nginx writes its access log at most a second late (nginx/portal.conf.in)
errors=$(awk '$9 == 500' "$SVAR/log/nginx-access.log" | wc -l)
requests=$(wc -l <"$SVAR/log/nginx-access.log")
line="all: $requests requests, $(handled) reached a handler, $errors answered 500"
say "$line"
echo "$line" >>"$REPORTS/summary.txt"
[ "$errors" -eq 0 ] || findings=$((findings + 1))
if [ "$findings" -eq 0 ]; then
	echo "result: no finding ($(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))" | tee -a "$REPORTS/summary.txt"
	exit 0
fi
echo "result: FINDINGS (see $REPORTS)" | tee -a "$REPORTS/summary.txt"
exit 1
