#!/bin/bash
# One local ESoNR stack: PostgreSQL, the portal's FastCGI workers and nginx, all
# living under $VAR so that several stacks (different PORT and VAR) run side by side.
#
#   scripts/stack.sh run|start|stop|status
#
# Environment: PORT (default 8080), VAR (default ./var), ESONR_DEMO=0 to skip the
# demo data. Layout under $VAR:
#   pg/data  pg/socket            PostgreSQL cluster and its unix socket (no TCP)
#   run/     portal.sock portal-auth.sock (the password-hashing pool) portal.pid nginx.pid signer.pid
#            mailer.pid mail-sink.pid mail.env
#   signer/  signer.sock (the signer process: the only one that reads keys/)
#   log/     postgresql.log portal.log nginx-access.log nginx-error.log mailer.log mail-sink.log
#   mail/    the local mail sink's Maildir (make run): every mail the portal sends
#   nginx/   nginx.conf (rendered from nginx/portal.conf.in), tmp/
#   anchor/  the audit log's anchors and the key that signs them (esonrctl audit anchor)
#   keys/    certificate signing keys (owned by the signer's user, esonr-sign, when root)
#   esonr.conf
#
# Started as root, nothing long-lived stays root: PostgreSQL runs as postgres, the portal's
# workers (and every other process of the stack) as the system user esonr (created here),
# nginx's workers as www-data. PostgreSQL takes only peer-authenticated local connections
# (pg_ident map "esonr") through a socket only group esonr can open; the FastCGI socket
# is reachable by nginx's user only. Started by another user, everything runs as that user.
set -eu
umask 022

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PORT:-8080}
VAR=${VAR:-./var}
PGBIN=/usr/lib/postgresql/15/bin
URL=http://127.0.0.1:$PORT
# ESONR_BIN: another build of the programs, e.g. the sanitized one of `make test-sanitized`.
BIN=${ESONR_BIN:-$ROOT/bin}
ESONRCTL=$BIN/esonrctl
PORTAL=$BIN/esonr-portal
SIGNER=$BIN/esonr-signer
MAILER=$BIN/esonr-mailer
# Debian's python3, which has python3-aiosmtpd (another python3 may come first in PATH).
SINK_PYTHON=/usr/bin/python3
DEMO_OUTPUT=

# VAR made absolute (the daemons do not share our working directory), and the
# paths derived from it.
set_paths() {
	case $VAR in /*) ;; *) VAR=$PWD/$VAR ;; esac
	[ -d "$VAR" ] && VAR=$(cd "$VAR" && pwd)
	PGDATA=$VAR/pg/data
	PGSOCK=$VAR/pg/socket
	CONF=$VAR/esonr.conf
	NGINX_CONF=$VAR/nginx/nginx.conf
}

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# The unprivileged users of a stack started as root (see the top of this file).
STACK_USER=esonr
NGINX_USER=www-data
# Whoever may open PostgreSQL's socket belongs to this group (postgres, so that it can
# give the socket to the group, and the stack's user; others' processes join it too).
DB_GROUP=esonr-db
# The owner of $VAR/keys, who signs certificates: the signer process runs as this user,
# so that the workers (STACK_USER) cannot read the secret key.
KEYS_USER=esonr-sign

# Creates the system user $1 (with a group of the same name) unless it exists.
# Idempotent; retried because another stack.sh may hold /etc/passwd's lock right now.
ensure_user() {
	local user=$1 tries=10
	is_root || return 0
	while ! getent passwd "$user" >/dev/null; do
		if useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$user" 2>/dev/null; then
			say "created the system user $user"
			break
		fi
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || die "cannot create the system user $user"
		sleep 0.5
	done
}

# Adds user $1 to group $2 (created when missing) unless it is a member already.
ensure_member() {
	local user=$1 group=$2 tries=10
	is_root || return 0
	while ! getent group "$group" >/dev/null; do
		groupadd --system "$group" 2>/dev/null && break
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || die "cannot create the group $group"
		sleep 0.5
	done
	tries=10
	while ! id -nG "$user" | tr ' ' '\n' | grep -qx "$group"; do
		usermod -a -G "$group" "$user" 2>/dev/null && break
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || die "cannot add $user to the group $group"
		sleep 0.5
	done
}

# run_as USER CMD...: execs CMD as USER when we are root (else as ourselves), with USER's
# groups and no way back to privileges. setpriv execs (runuser would stay as a parent and
# turn our SIGTERM into a SIGKILL two seconds later), so CMD keeps the pid.
run_as() {
	local user=$1
	shift
	if is_root; then
		exec setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs -- "$@"
	fi
	exec "$@"
}

# as_stack_user CMD...: runs CMD to its end as the stack's unprivileged user, from /
# (that user may not enter our working directory), without our lock.
as_stack_user() { (cd / && run_as "$STACK_USER" "$@") 9>&-; }

# spawn_as_stack_user CMD... [redirections]: starts CMD in the background as the stack's
# user; SPAWNED_PID is CMD's own pid (for its pid file). For long-lived processes.
# spawn_as USER CMD... [redirections]: the same for another user of the stack.
spawn_as() {
	local user=$1
	shift
	(cd / && run_as "$user" "$@") 9>&- &
	SPAWNED_PID=$!
}

spawn_as_stack_user() {
	(cd / && run_as "$STACK_USER" "$@") 9>&- &
	SPAWNED_PID=$!
}

# PostgreSQL refuses to run as root: its tools run as the postgres user then.
# From / because postgres may not be allowed into the caller's working directory.
# 9>&-: the server must not inherit (and so keep) our lock.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@" 9>&-)
	else
		(cd / && "$@" 9>&-)
	fi
}

check_args() {
	case $PORT in
	'' | *[!0-9]*) die "PORT must be a number, got '$PORT'" ;;
	esac
	[ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "PORT out of range: $PORT"
	# The paths go verbatim into nginx.conf, sed and pg_ctl -o: keep them plain.
	case "$VAR$ROOT" in
	*[[:space:]\'\"\\\|\;\&\$\{\}]*) die "VAR and the repository path must not contain spaces, quotes or shell/nginx metacharacters: $VAR" ;;
	esac
	# A unix socket path holds at most 107 bytes.
	[ ${#PGSOCK} -le 90 ] || die "VAR is too long for a unix socket path (at most 80 characters): $VAR"
}

# Is $1 (a pid file) naming a live process whose command line contains $2?
# The name check guards against a stale pid file and a recycled pid.
pid_alive() {
	local pidfile=$1 name=$2 pid
	[ -f "$pidfile" ] || return 1
	pid=$(cat "$pidfile" 2>/dev/null) || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$name"
}

# Waits up to $2 seconds for pid $1 to exit.
wait_gone() {
	local pid=$1 tries=$(($2 * 10))
	while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	! kill -0 "$pid" 2>/dev/null
}

anchor_running() { pid_alive "$VAR/run/anchor.pid" "audit anchor"; }
pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }
portal_running() { pid_alive "$VAR/run/portal.pid" esonr-portal; }
mailer_running() { pid_alive "$VAR/run/mailer.pid" esonr-mailer; }
sink_running() { pid_alive "$VAR/run/mail-sink.pid" aiosmtpd; }
nginx_running() { pid_alive "$VAR/run/nginx.pid" "nginx -p $VAR/nginx"; }

show_logs() {
	local f
	for f in postgresql signer portal mailer mail-sink nginx-error; do
		[ -s "$VAR/log/$f.log" ] || continue
		printf -- '--- last lines of %s ---\n' "$VAR/log/$f.log" >&2
		tail -n 20 "$VAR/log/$f.log" >&2
	done
}

# Serialises concurrent stack.sh calls on the same VAR (e.g. two `make start`).
# Daemons are started with 9>&- so that they do not inherit the lock.
take_lock() {
	mkdir -p "$VAR/run"
	exec 9>"$VAR/run/stack.lock"
	flock -w 120 9 || die "another stack.sh is still busy with $VAR"
}
release_lock() { exec 9>&-; }

make_dirs() {
	mkdir -p "$VAR/pg/socket" "$VAR/run" "$VAR/log" "$VAR/nginx/tmp" "$VAR/keys" "$VAR/anchor"
	chmod 700 "$VAR/keys" # the signing key never leaves var/keys
	chmod 750 "$VAR/anchor"
	# PostgreSQL's socket: only its group may enter (the socket itself is 0770).
	chmod 750 "$VAR/pg/socket"
	# The FastCGI socket's folder: the portal creates sockets there, nginx's user enters.
	# setgid: a socket made there belongs to that folder's group.
	chmod 2750 "$VAR/run"
	touch "$VAR/log/postgresql.log"
	if is_root; then
		ensure_user "$STACK_USER"
		ensure_user "$KEYS_USER"
		ensure_member postgres "$DB_GROUP"
		ensure_member "$STACK_USER" "$DB_GROUP"
		chown postgres: "$VAR/pg" "$VAR/log/postgresql.log"
		chown "postgres:$DB_GROUP" "$VAR/pg/socket"
		chown "$STACK_USER:$NGINX_USER" "$VAR/run"
		chown -R "$KEYS_USER:" "$VAR/keys"
		# The anchor key belongs to the user that cannot rewrite the audit log (not postgres).
		chown -R "$STACK_USER:" "$VAR/anchor"
		ensure_member "$KEYS_USER" "$DB_GROUP"
	fi
	# The signer's socket: in a folder of the signer, setgid to the workers' group, so that
	# the workers (and root's esonrctl) may ask it and nobody else may.
	mkdir -p "$VAR/signer"
	if is_root; then
		chown "$KEYS_USER:$STACK_USER" "$VAR/signer"
		chmod 2750 "$VAR/signer"
	else
		chmod 700 "$VAR/signer"
	fi
}

# Adds o+x to every directory from $2 up to / that lacks it, so that user $1
# (postgres, or nginx's worker user www-data) can reach $2.
open_path_for() {
	local user=$1 path=$2 d fixed=
	runuser -u "$user" -- test -x "$path" && return 0
	d=$path
	while :; do
		if [ -z "$(find "$d" -maxdepth 0 -perm -o=x 2>/dev/null)" ]; then
			chmod o+x "$d"
			fixed="$fixed $d"
		fi
		[ "$d" = / ] && break
		d=$(dirname "$d")
	done
	[ -z "$fixed" ] || say "added o+x (search only) to$fixed so that $user can reach $path"
}

# nginx's workers (www-data) serve static/ and must read every file in it.
open_tree_for() {
	local user=$1 dir=$2 unreadable
	[ -d "$dir" ] || return 0
	open_path_for "$user" "$dir"
	unreadable=$(find "$dir" \( -type d ! -perm -o=rx \) -o \( -type f ! -perm -o=r \) -print -quit)
	if [ -n "$unreadable" ]; then
		chmod -R o+rX "$dir"
		say "added o+r to $dir so that $user can read it"
	fi
}

fix_permissions() {
	is_root || return 0
	open_path_for postgres "$VAR"
	open_path_for www-data "$VAR"
	open_tree_for www-data "$ROOT/static"
	open_tree_for www-data "$ROOT/templates"
	# The stack's user runs the programs and reads the templates, the SQL and the fonts.
	open_path_for "$STACK_USER" "$VAR"
	open_path_for "$STACK_USER" "$BIN"
	open_path_for "$KEYS_USER" "$VAR"
	open_path_for "$KEYS_USER" "$BIN"
	open_tree_for "$STACK_USER" "$ROOT/templates"
}

pg_init() {
	[ -f "$PGDATA/PG_VERSION" ] && return 0
	say "creating the PostgreSQL cluster in $PGDATA"
	mkdir -p "$PGDATA"
	chmod 700 "$PGDATA"
	is_root && chown postgres: "$PGDATA"
	as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
		--auth-local=peer --auth-host=reject >"$VAR/log/initdb.log" 2>&1 ||
		{ tail -n 20 "$VAR/log/initdb.log" >&2; die "initdb failed"; }
}

# Who may connect as which role, rewritten at every start (also for clusters made before
# peer authentication): local sockets only, peer authentication through the map "esonr"
# (OS user -> database role). postgres and root (migrations, esonrctl, tests) become the
# superuser or the portal's role; the stack's user only the portal's role, esonr_app.
pg_access() {
	local me hba ident
	me=$(id -un)
	hba="# Written by scripts/stack.sh at every start (see pg_access there).
local all all peer map=esonr"
	ident="# MAPNAME OS-USER DB-ROLE (scripts/stack.sh, pg_access)
esonr postgres postgres
esonr $me postgres
esonr $me esonr_app
esonr $me esonr_signer"
	if is_root; then
		ident="$ident
esonr $STACK_USER esonr_app
esonr $KEYS_USER esonr_signer"
		# The person who ran sudo make … runs esonrctl as the office too.
		case ${SUDO_USER:-root} in
		root | postgres | "$STACK_USER") ;;
		*) ident="$ident
esonr $SUDO_USER postgres" ;;
		esac
	fi
	printf '%s\n' "$hba" >"$PGDATA/pg_hba.conf.tmp"
	printf '%s\n' "$ident" >"$PGDATA/pg_ident.conf.tmp"
	# The socket: 0770 for its group; the settings live in the cluster so that a restart by
	# hand (pg_ctl start) keeps them.
	if is_root; then
		printf "unix_socket_group = '%s'\nunix_socket_permissions = 0770\n" "$DB_GROUP"
	else
		printf "unix_socket_permissions = 0700\n"
	fi >"$PGDATA/esonr-stack.conf.tmp"
	grep -qx "include_if_exists = 'esonr-stack.conf'" "$PGDATA/postgresql.conf" ||
		echo "include_if_exists = 'esonr-stack.conf'" >>"$PGDATA/postgresql.conf"
	local f
	for f in pg_hba.conf pg_ident.conf esonr-stack.conf; do
		is_root && chown postgres: "$PGDATA/$f.tmp"
		chmod 600 "$PGDATA/$f.tmp"
		mv "$PGDATA/$f.tmp" "$PGDATA/$f"
	done
	# A cluster already running (made before this) takes the new rules at once.
	if pg_running; then as_pg "$PGBIN/pg_ctl" -D "$PGDATA" reload >/dev/null; fi
}

# Unix socket only (listen_addresses=''); the port only names the socket file.
pg_start() {
	pg_running && return 0
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$VAR/log/postgresql.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PGSOCK' -c port=5432" \
		start >/dev/null || { show_logs; die "PostgreSQL did not start"; }
}

psql_admin() {
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -U postgres -d postgres "$@"
}

pg_create_db() {
	if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'esonr'")" != 1 ]; then
		psql_admin -c 'CREATE DATABASE esonr'
		say "created database esonr"
	fi
}

# The portal and esonrctl read their settings from $VAR/esonr.conf. Written once;
# afterwards only base_url follows PORT, so local edits survive.
write_conf() {
	if [ ! -f "$CONF" ]; then
		cat >"$CONF.tmp" <<-EOF
			# ESoNR portal settings for the stack under $VAR.
			# Written by scripts/stack.sh when missing; only base_url is updated (from PORT).
			db = host=$PGSOCK dbname=esonr user=esonr_app
			db_admin = host=$PGSOCK dbname=esonr user=postgres
			base_url = $URL
			workers = $((2 * $(nproc)))
			socket = $VAR/run/portal.sock
			templates = $ROOT/templates
			static = $ROOT/static
			keys = $VAR/keys
		EOF
		mv "$CONF.tmp" "$CONF"
	fi
	if ! grep -q '^smtp_url[[:space:]]*=' "$CONF"; then
		# The local sink (python3-aiosmtpd) on a port free now; production sets its relay here.
		cat >>"$CONF" <<-EOF
			# E-mail: the relay (smtp://, smtps://; smtp_user/smtp_password here, never on a
			# command line) and the sender. mail_sink: the Maildir of the local sink that
			# stack.sh starts for smtp_url (empty: none, e.g. with a real relay).
			smtp_url = smtp://127.0.0.1:$(free_port)
			mail_from = ESoNR portal <noreply@esonr-portal.invalid>
			mail_sink = $VAR/mail
		EOF
	fi
	if ! grep -qx "base_url = $URL" "$CONF"; then
		sed -i "s|^base_url[[:space:]]*=.*|base_url = $URL|" "$CONF"
		say "base_url in $CONF set to $URL"
	fi
}

need_programs() {
	[ -x "$ESONRCTL" ] && [ -x "$PORTAL" ] && [ -x "$SIGNER" ] && [ -x "$MAILER" ] ||
		die "bin/esonrctl, bin/esonr-portal, bin/esonr-signer or bin/esonr-mailer is missing: run make first"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

conf_value() { sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$CONF" 2>/dev/null | tail -n 1; }

# ESONR_SMTP_URL / ESONR_MAIL_FROM given to the first start hold for this stack until it
# stops, also when a later start brings back a process that had died.
mail_env() {
	local f=$VAR/run/mail.env
	if [ -n "${ESONR_SMTP_URL:-}${ESONR_MAIL_FROM:-}" ] && ! mailer_running; then
		printf 'ESONR_SMTP_URL=%q\nESONR_MAIL_FROM=%q\n' "${ESONR_SMTP_URL:-}" "${ESONR_MAIL_FROM:-}" >"$f"
	fi
	if [ -f "$f" ]; then
		# shellcheck disable=SC1090 # written just above by this script
		. "$f"
		[ -n "$ESONR_SMTP_URL" ] || unset ESONR_SMTP_URL
		[ -n "$ESONR_MAIL_FROM" ] || unset ESONR_MAIL_FROM
		[ -z "${ESONR_SMTP_URL+x}" ] || export ESONR_SMTP_URL
		[ -z "${ESONR_MAIL_FROM+x}" ] || export ESONR_MAIL_FROM
	fi
}

# The local sink runs when mail goes to the configured smtp_url (no ESONR_SMTP_URL) and
# mail_sink names its Maildir.
sink_dir() {
	[ -z "${ESONR_SMTP_URL:-}" ] || return 0
	printf '%s' "${ESONR_MAIL_SINK-$(conf_value mail_sink)}"
}

sink_start() {
	local dir listen tries=50
	dir=$(sink_dir)
	[ -n "$dir" ] || return 0
	sink_running && return 0
	listen=$(conf_value smtp_url | sed -n 's|^smtp://\([^/]*\).*|\1|p')
	[ -n "$listen" ] || die "mail_sink needs an smtp://HOST:PORT smtp_url in $CONF"
	mkdir -p "$dir/new" "$dir/cur" "$dir/tmp" # a Maildir (the sink only creates a missing one)
	if is_root; then chown -R "$STACK_USER": "$dir"; fi
	# Niced as the mailer is: it stands in for a mail server on another machine, and should
	# not take the CPU from the pages it is measured beside.
	spawn_as_stack_user setsid nice -n 10 "$SINK_PYTHON" -m aiosmtpd -n -l "$listen" -c aiosmtpd.handlers.Mailbox \
		"$dir" </dev/null >>"$VAR/log/mail-sink.log" 2>&1
	echo "$SPAWNED_PID" >"$VAR/run/mail-sink.pid"
	while ! (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; do
		kill -0 "$SPAWNED_PID" 2>/dev/null || { show_logs; die "the mail sink exited at start-up"; }
		[ "$tries" -gt 0 ] || die "the mail sink does not listen on $listen"
		sleep 0.1
		tries=$((tries - 1))
	done
}

mailer_start() {
	mailer_running && return 0
	spawn_as_stack_user setsid "$MAILER" --var "$VAR" </dev/null >>"$VAR/log/mailer.log" 2>&1
	echo "$SPAWNED_PID" >"$VAR/run/mailer.pid"
}

# Like the portal: TERM, then the whole group once the leader is gone. A message being
# delivered finishes first (libcurl gives up after 60 s).
mailer_stop() {
	local pid
	if mailer_running; then
		pid=$(cat "$VAR/run/mailer.pid")
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$pid" 70; then
			say "the mailer did not stop within 70 s: killing its process group"
			kill -KILL -- "-$pid" 2>/dev/null || true
			wait_gone "$pid" 5 || true
		fi
		kill -TERM -- "-$pid" 2>/dev/null || true
		say "stopped the mailer"
	fi
	rm -f "$VAR/run/mailer.pid"
}

sink_stop() {
	local pid
	if sink_running; then
		pid=$(cat "$VAR/run/mail-sink.pid")
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 10 || kill -KILL -- "-$pid" 2>/dev/null || true
		say "stopped the mail sink"
	fi
	rm -f "$VAR/run/mail-sink.pid"
}

migrate() {
	"$ESONRCTL" --var "$VAR" migrate || { show_logs; die "esonrctl migrate failed"; }
}

# keygen arrives with the certificates: until then esonrctl answers "unknown
# command" (exit 2) and the stack runs without signing keys.
signing_keys() {
	local rc=0 err
	ls "$VAR/keys"/*.key >/dev/null 2>&1 && return 0
	err=$("$ESONRCTL" --var "$VAR" keygen 2>&1 >/dev/null) || rc=$?
	case $rc in
	0) say "created signing keys in $VAR/keys" ;;
	2) say "note: esonrctl keygen not available (yet): no signing keys, certificates cannot be issued" ;;
	*) die "esonrctl keygen failed (exit $rc): $err" ;;
	esac
}

demo_data() {
	[ "${ESONR_DEMO:-1}" = 0 ] && return 0
	DEMO_OUTPUT=$("$ESONRCTL" --var "$VAR" demo) || die "esonrctl demo failed"
}

# The signer (bin/esonr-signer) runs as the keys' owner and alone reads the secret key; the
# workers and esonrctl ask it over $VAR/signer/signer.sock. Like the portal it is the leader
# of its own process group, and its parent restarts the child that signs if it dies.
signer_running() { pid_alive "$VAR/run/signer.pid" esonr-signer; }

# start_group NAME USER PROGRAM PIDFILE SOCKET LOG: starts PROGRAM --var $VAR as USER, the
# leader of a session of its own (setsid), and waits until it listens on SOCKET.
start_group() {
	local name=$1 user=$2 program=$3 pidfile=$4 sock=$5 log=$6 pid tries=100
	spawn_as "$user" setsid "$program" --var "$VAR" </dev/null >>"$log" 2>&1
	pid=$SPAWNED_PID
	echo "$pid" >"$pidfile"
	while [ ! -S "$sock" ]; do
		kill -0 "$pid" 2>/dev/null || { show_logs; die "$name exited at start-up"; }
		[ "$tries" -gt 0 ] || { show_logs; die "$name did not open $sock"; }
		sleep 0.1
		tries=$((tries - 1))
	done
}

signer_start() {
	signer_running && return 0
	rm -f "$VAR/signer/signer.sock" "$VAR/run/signer.pid"
	start_group "the signer" "$KEYS_USER" "$SIGNER" "$VAR/run/signer.pid" "$VAR/signer/signer.sock" \
		"$VAR/log/signer.log"
}

# stop_group NAME PIDFILE: TERM to a process that leads its own group (setsid), KILL to the
# group after 10 s, then TERM to whatever of the group is left.
stop_group() {
	local name=$1 pid
	pid=$(cat "$2")
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 10; then
		say "$name did not stop within 10 s: killing its process group"
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
	kill -TERM -- "-$pid" 2>/dev/null || true
	say "stopped $name"
}

signer_stop() {
	signer_running && stop_group "the signer" "$VAR/run/signer.pid"
	rm -f "$VAR/run/signer.pid" "$VAR/signer/signer.sock"
}

# The portal binds $VAR/run/portal-auth.sock, then $VAR/run/portal.sock itself and forks
# its workers (pages and password hashing). setsid: its own
# session, so a Ctrl-C in our terminal reaches only us and we stop it in order.
portal_start() {
	portal_running && return 0
	rm -f "$VAR/run/portal.sock" "$VAR/run/portal-auth.sock" "$VAR/run/portal.pid"
	start_group "the portal" "$STACK_USER" "$PORTAL" "$VAR/run/portal.pid" "$VAR/run/portal.sock" \
		"$VAR/log/portal.log"
}

# The audit log's head is anchored outside PostgreSQL every ESONR_ANCHOR_EVERY seconds
# (default 300) by the stack's user, who holds the anchor key (src/db/audit_anchor.h).
anchor_start() {
	anchor_running && return 0
	spawn_as_stack_user setsid "$ESONRCTL" --var "$VAR" audit anchor --every "${ESONR_ANCHOR_EVERY:-300}" \
		</dev/null >>"$VAR/log/anchor.log" 2>&1
	echo "$SPAWNED_PID" >"$VAR/run/anchor.pid"
}

anchor_stop() {
	local pid
	if anchor_running; then
		pid=$(cat "$VAR/run/anchor.pid")
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
		say "stopped the audit anchoring"
	fi
	rm -f "$VAR/run/anchor.pid"
}

# When root, nginx's workers run as www-data; otherwise as us (no user line).
nginx_render() {
	local user_sed='/^user @USER@;/d'
	is_root && user_sed="s|@USER@|$NGINX_USER|g"
	# ESONR_LIMIT_RATE / ESONR_LIMIT_BURST: nginx's limit on sign-ups, resets and uploads
	# per address (the test suite, which signs up hundreds from 127.0.0.1, raises it).
	local rate=${ESONR_LIMIT_RATE:-2r/s} burst=${ESONR_LIMIT_BURST:-20}
	case $rate in [1-9]*r/[sm]) ;; *) die "ESONR_LIMIT_RATE must look like 2r/s or 30r/m: $rate" ;; esac
	case $burst in '' | *[!0-9]*) die "ESONR_LIMIT_BURST must be a number: $burst" ;; esac
	# ESONR_LISTEN_IPV6=1: also on [::1] (test stacks only: the per-/64 counting in
	# tests/integration/test_rate_limits.py); the stack otherwise listens on 127.0.0.1 only.
	local v6_sed='/listen \[::1\]/d'
	[ "${ESONR_LISTEN_IPV6:-0}" = 1 ] && v6_sed='s| # ESONR_LISTEN_IPV6=1 only.*||'
	sed -e "$user_sed" -e "$v6_sed" -e "s|@PORT@|$PORT|g" -e "s|@VAR@|$VAR|g" -e "s|@ROOT@|$ROOT|g" \
		-e "s|@LIMIT_RATE@|$rate|g" -e "s|@LIMIT_BURST@|$burst|g" \
		"$ROOT/nginx/portal.conf.in" >"$NGINX_CONF.tmp"
	mv "$NGINX_CONF.tmp" "$NGINX_CONF"
}

# -e: nginx's start-up errors go to our log, not /var/log/nginx.
nginx_cmd() { nginx -p "$VAR/nginx" -c "$NGINX_CONF" -e "$VAR/log/nginx-error.log" "$@" 9>&-; }

nginx_start() {
	nginx_running && return 0
	nginx_render
	nginx_cmd -t -q || die "nginx rejects $NGINX_CONF"
	nginx_cmd || { show_logs; die "nginx did not start (is port $PORT taken?)"; }
}

# Fail fast, before anything starts, when another program holds our port.
check_port_free() {
	nginx_running && return 0
	command -v ss >/dev/null || return 0
	[ -z "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ] ||
		die "port $PORT is already in use by another program: choose another PORT"
}

wait_http() {
	local tries=60 code
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/" || true)
		[ "$code" = 200 ] && return 0
		[ "$tries" -gt 0 ] || break
		sleep 0.5
		tries=$((tries - 1))
	done
	show_logs
	die "$URL/ did not answer 200 within 30 s (last status: ${code:-none})"
}

all_running() {
	pg_running && signer_running && portal_running && nginx_running && anchor_running &&
		mailer_running && { [ -z "$(sink_dir)" ] || sink_running; }
}

conf_url() { sed -n 's/^base_url[[:space:]]*=[[:space:]]*//p' "$CONF" 2>/dev/null; }

print_ready() {
	say "ESoNR portal running at $URL/  (VAR=$VAR)"
	if [ -n "$(sink_dir)" ]; then
		say "mails go to the local sink: one file per mail in $(sink_dir)/new (see README, E-mail)"
	else
		say "mails go to ${ESONR_SMTP_URL:-$(conf_value smtp_url)}"
	fi
	[ -z "$DEMO_OUTPUT" ] || printf '%s\n' "$DEMO_OUTPUT"
}

start_stack() {
	set_paths
	check_args
	mkdir -p "$VAR"
	set_paths
	take_lock
	mail_env
	if all_running; then
		say "already running at $(conf_url)/  (VAR=$VAR)"
		release_lock
		return 0
	fi
	need_programs
	check_port_free
	make_dirs
	fix_permissions
	write_conf
	pg_init
	pg_access
	pg_start
	pg_create_db
	migrate
	signing_keys
	signer_start
	demo_data
	portal_start
	anchor_start
	sink_start
	mailer_start
	nginx_start
	release_lock
	wait_http
	print_ready
}

nginx_stop() {
	local pid
	if nginx_running; then
		pid=$(cat "$VAR/run/nginx.pid")
		kill -QUIT "$pid" 2>/dev/null || true # graceful: finish requests in flight
		wait_gone "$pid" 10 || { kill -TERM "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
		say "stopped nginx"
	fi
	rm -f "$VAR/run/nginx.pid"
}

# The portal is the leader of its own process group (setsid): once it is gone,
# any worker it left behind is in that group and nowhere else.
portal_stop() {
	portal_running && stop_group "the portal" "$VAR/run/portal.pid"
	rm -f "$VAR/run/portal.pid" "$VAR/run/portal.sock" "$VAR/run/portal-auth.sock"
}

pg_stop() {
	if pg_running; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDATA" stop -m fast -w >/dev/null
		say "stopped PostgreSQL"
	fi
}

stop_stack() {
	set_paths
	[ -d "$VAR" ] || return 0
	take_lock
	nginx_stop
	anchor_stop
	portal_stop
	signer_stop
	mailer_stop
	sink_stop
	rm -f "$VAR/run/mail.env"
	pg_stop
	release_lock
}

status_stack() {
	local rc=0 pid
	set_paths
	if pg_running; then
		pid=$(head -n 1 "$PGDATA/postmaster.pid")
		echo "postgresql: running (pid $pid, socket $PGSOCK)"
	else
		echo "postgresql: stopped"
		rc=3
	fi
	if signer_running; then echo "signer:     running (pid $(cat "$VAR/run/signer.pid"))"; else echo "signer:     stopped"; rc=3; fi
	if portal_running; then echo "portal:     running (pid $(cat "$VAR/run/portal.pid"))"; else echo "portal:     stopped"; rc=3; fi
	if anchor_running; then echo "anchoring:  running (pid $(cat "$VAR/run/anchor.pid"))"; else echo "anchoring:  stopped"; rc=3; fi
	if mailer_running; then echo "mailer:     running (pid $(cat "$VAR/run/mailer.pid"))"; else echo "mailer:     stopped"; rc=3; fi
	if sink_running; then echo "mail sink:  running (pid $(cat "$VAR/run/mail-sink.pid"), $(conf_value mail_sink))"; fi
	if nginx_running; then echo "nginx:      running (pid $(cat "$VAR/run/nginx.pid"), $(conf_url)/)"; else echo "nginx:      stopped"; rc=3; fi
	return $rc
}

# Foreground mode for `make run`: Ctrl-C (or TERM) stops the whole stack, and so
# does a failed start, so that nothing is left running behind the user's back.
on_signal() {
	trap - INT TERM EXIT
	echo
	stop_stack
	exit 0
}

on_failed_run() {
	local rc=$?
	trap - INT TERM EXIT
	[ "$rc" -eq 0 ] && return 0
	say "start failed: stopping what was started"
	stop_stack || true
	exit "$rc"
}

run_stack() {
	trap on_signal INT TERM
	trap on_failed_run EXIT
	start_stack
	say "Ctrl-C stops the stack"
	while :; do
		# sleep in the background so that a signal interrupts `wait` at once
		sleep 2 &
		wait $! || true
		if ! portal_running && ! nginx_running && ! pg_running; then
			say "the stack was stopped from elsewhere"
			exit 0
		fi
		# The signer's parent restarts its child; should the parent itself die, so do we.
		if pg_running && ! signer_running; then
			say "the signer had stopped: starting it again"
			signer_start || true
		fi
		# The sender and the sink are brought back if they die (the portal restarts its own
		# workers, the mailer its sending child).
		if pg_running && ! mailer_running; then
			say "the mailer had stopped: starting it again"
			mailer_start
		fi
		if [ -n "$(sink_dir)" ] && ! sink_running; then
			say "the mail sink had stopped: starting it again"
			sink_start || true
		fi
	done
}

case ${1:-} in
run) run_stack ;;
start)
	start_stack
	say "stop it with: make stop VAR=$VAR"
	;;
stop) stop_stack ;;
status) status_stack ;;
*)
	echo "usage: $0 run|start|stop|status   (env PORT=$PORT VAR=$VAR)" >&2
	exit 2
	;;
esac
