"""Least privilege in the stack itself (DESIGN §5, issue 12): who runs what, who can open
which socket, and what the programs were built with.

Started as root (as make test and CI do), the stack runs its workers as the system user
esonr, PostgreSQL accepts only peer-authenticated users mapped to its roles through a
socket that other local users cannot open, and the FastCGI socket is nginx's alone.
Started by another user, everything runs as that user and the root-only checks are skipped.
"""
import os
import pwd
import grp
import socket
import stat
import subprocess

from harness import ESONRCTL, PSQL, VAR, add_user, check, psql, require, run, sql_value

AS_ROOT = os.geteuid() == 0


def skip(why):
    check(True, f"the rest is skipped: {why}")


def portal_pids():
    with open(os.path.join(VAR, "run", "portal.pid")) as f:
        parent = int(f.read().strip())
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout
    return parent, [int(p) for p in out.split()]


def uids_of(pid):
    """(real, effective, saved) uid and (real, effective, saved) gid of a process, and its groups."""
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    uid = [int(x) for x in fields["Uid"].split()[:3]]
    gid = [int(x) for x in fields["Gid"].split()[:3]]
    groups = [int(x) for x in fields.get("Groups", "").split()]
    return uid, gid, groups


def as_user(user, *cmd, stdin=None):
    """Runs CMD as the local user USER (root only); returns (rc, stdout + stderr)."""
    p = subprocess.run(["runuser", "-u", user, "--", *cmd], input=stdin, capture_output=True,
                       text=True, timeout=60, cwd="/")
    return p.returncode, p.stdout + p.stderr


def psql_as(os_user, db_role, sql="SELECT 1"):
    return as_user(os_user, PSQL, "-X", "-tA", "-h", os.path.join(VAR, "pg", "socket"), "-U", db_role,
                   "-d", "esonr", "-c", sql)


def test_workers_do_not_run_as_root():
    # The portal's parent and every worker run as the stack's unprivileged user.
    parent, workers = portal_pids()
    require(workers, "the portal has workers", parent)
    for pid in [parent] + workers:
        uid, gid, groups = uids_of(pid)
        if AS_ROOT:
            check(0 not in uid and 0 not in gid and 0 not in groups,
                  f"portal process {pid} holds no root uid, gid or group", (uid, gid, groups))
            check(pwd.getpwuid(uid[0]).pw_name == "esonr", f"portal process {pid} runs as esonr",
                  pwd.getpwuid(uid[0]).pw_name)
        else:
            check(uid == [os.getuid()] * 3, f"portal process {pid} runs as the user who started the stack", uid)


def test_fastcgi_socket_is_nginx_only():
    # Mode 0660, nginx's group; another local user cannot connect to the workers directly.
    path = os.path.join(VAR, "run", "portal.sock")
    st = os.stat(path)
    check(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660, "the FastCGI socket has mode 0660",
          oct(st.st_mode))
    if not AS_ROOT:
        return skip("not root: no other user to try")
    check(grp.getgrgid(st.st_gid).gr_name == "www-data", "the FastCGI socket belongs to nginx's group www-data",
          st.st_gid)
    probe = ("import socket, sys\ns = socket.socket(socket.AF_UNIX)\n"
             f"try:\n    s.connect({path!r})\nexcept OSError as e:\n    print('refused', e); sys.exit(3)\n")
    rc, out = as_user("nobody", "python3", "-c", probe)
    check(rc == 3, "the user nobody cannot connect to the FastCGI socket", out)
    rc, out = as_user("www-data", "python3", "-c", probe)
    check(rc == 0, "nginx's user www-data can connect to it", out)


def test_postgresql_only_for_its_roles():
    # Peer authentication, and a socket folder only the stack's group may enter.
    sock_dir = os.path.join(VAR, "pg", "socket")
    st = os.stat(sock_dir)
    check(stat.S_IMODE(st.st_mode) & 0o007 == 0, "PostgreSQL's socket folder is closed to other users",
          oct(st.st_mode))
    with open(os.path.join(VAR, "pg", "data", "pg_hba.conf")) as f:
        rules = [line.split() for line in f if line.strip() and not line.startswith("#")]
    check(rules and all(r[0] == "local" and r[3] == "peer" for r in rules),
          "pg_hba.conf: local connections with peer authentication only, no trust", rules)
    if not AS_ROOT:
        return skip("not root: no other user to try")
    for role in ("postgres", "esonr_app"):
        rc, out = psql_as("nobody", role)
        check(rc != 0, f"the user nobody cannot connect as {role}", out)
    rc, out = psql_as("esonr", "esonr_app")
    check(rc == 0 and out.strip() == "1", "the stack's user esonr connects as esonr_app", out)
    rc, out = psql_as("esonr", "postgres")
    check(rc != 0, "the stack's user esonr cannot connect as the superuser", out)
    rc, out = psql_as("postgres", "esonr_app")
    check(rc != 0, "the OS user postgres is not mapped to the portal's role", out)


def test_signing_key_not_root_owned():
    # The secret key stays 0600 and belongs to the keys folder's owner, not to root (so that
    # no process of the stack needs root to sign).
    keys = os.path.join(VAR, "keys")
    if not any(n.endswith(".key") for n in os.listdir(keys)):
        return skip("no signing key in this stack")
    owner = os.stat(keys).st_uid
    for name in os.listdir(keys):
        st = os.stat(os.path.join(keys, name))
        check(st.st_uid == owner, f"keys/{name} belongs to the keys folder's owner", (st.st_uid, owner))
        if name.endswith(".key"):
            check(stat.S_IMODE(st.st_mode) == 0o600, f"keys/{name} has mode 0600", oct(st.st_mode))
    if AS_ROOT:
        check(owner != 0, "the keys folder does not belong to root", owner)


def as_app(sql):
    """Runs SQL as the portal's database role; returns (rc, stderr)."""
    rc, _, err = psql(sql, user="esonr_app")
    return rc, err


def test_app_role_cannot_change_roles_or_keys():
    # What only the office's paths (esonrctl, as the owner) may change.
    email = add_user("candidate", "Role Probe", "roleprobe", "role-probe-pw")
    uid = sql_value("SELECT id FROM users WHERE email = :'p1'", email)
    rc, err = as_app(f"UPDATE users SET role = 'admin' WHERE id = {uid}")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot UPDATE users.role", err)
    check(sql_value(f"SELECT role FROM users WHERE id = {uid}") == "candidate", "the role is unchanged")
    rc, err = as_app(f"UPDATE users SET full_name = 'Renamed Probe' WHERE id = {uid}")
    check(rc == 0, "esonr_app may still rename (the office's form does)", err)
    rc, err = as_app("INSERT INTO users (email, full_name, role, password_hash) VALUES "
                     "('probe-admin@example.test', 'X', 'admin', '$argon2id$x')")
    check(rc != 0, "esonr_app cannot create an office account", err)
    rc, err = as_app("INSERT INTO signing_keys (id, public_key) VALUES "
                     f"('{'ab' * 8}', '{'cd' * 32}')")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot add a signing key", err)
    rc, err = as_app("UPDATE signing_keys SET retired_at = NULL")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot un-retire a signing key", err)
    rc, err = as_app("UPDATE exam_sessions SET booked_count = 0")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot set a session's seat count", err)
    rc, err = as_app("UPDATE audit_head SET last_id = 0")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot move the audit chain's head", err)


def test_app_role_cannot_rewrite_certificates():
    # A signed certificate (a row as publication leaves it) cannot be redrawn or re-addressed.
    email = add_user("candidate", "Cert Probe", "certprobe", "cert-probe-pw")
    number = sql_value(
        "WITH s AS (SELECT coalesce(max(serial), 0) + 1 AS n FROM certificates"
        "   WHERE exam_code = 'L1' AND year = 2099)"
        " INSERT INTO certificates (number, user_id, exam_code, year, serial, holder_name, pdf)"
        " SELECT 'ESNR-L1-2099-' || lpad(n::text, 4, '0'), u.id, 'L1', 2099, n, 'Cert Probe', '\\x255044462d'"
        " FROM s, users u WHERE u.email = :'p1' RETURNING number", email)
    require(number.startswith("ESNR-L1-2099-"), "a probe certificate exists", number)
    rc, err = as_app(f"UPDATE certificates SET pdf = '\\x00' WHERE number = '{number}'")
    check(rc != 0, "esonr_app cannot rewrite a signed certificate PDF", err)
    rc, err = as_app(f"UPDATE certificates SET holder_name = 'Someone Else' WHERE number = '{number}'")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot change a certificate's holder", err)
    check(sql_value(f"SELECT encode(pdf, 'hex') || holder_name FROM certificates WHERE number = '{number}'")
          == "255044462dCert Probe", "the certificate is unchanged")
    rc, err = as_app(f"UPDATE certificates SET revoked_at = now(), revoked_reason = 'probe' WHERE number = '{number}'")
    check(rc == 0, "esonr_app may still revoke (the office's form does)", err)


def test_app_role_cannot_file_certificate_checks():
    # The kept check of a register copy (sql/057) is filed only through
    # certificate_check_record() (sql/059), for the stored file's digest and key, dated now():
    # the portal's role cannot file one for bytes it did not verify, nor one that never expires.
    email = add_user("candidate", "Check Probe", "checkprobe", "check-probe-pw")
    number = sql_value(
        "WITH s AS (SELECT coalesce(max(serial), 0) + 1 AS n FROM certificates"
        "   WHERE exam_code = 'L1' AND year = 2099)"
        " INSERT INTO certificates (number, user_id, exam_code, year, serial, holder_name, pdf)"
        " SELECT 'ESNR-L1-2099-' || lpad(n::text, 4, '0'), u.id, 'L1', 2099, n, 'Check Probe', '\\x255044462d'"
        " FROM s, users u WHERE u.email = :'p1' RETURNING number", email)
    require(number.startswith("ESNR-L1-2099-"), "a probe certificate exists", number)
    rc, err = as_app("INSERT INTO certificate_checks (number, pdf_sha256, key_id, checked_at) VALUES "
                     f"('{number}', sha256('\\x00'), 'probe-key', 'infinity')")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot INSERT into certificate_checks", err)
    for assignment in ("checked_at = 'infinity'", "pdf_sha256 = sha256('\\x00')", "key_id = 'probe-key'"):
        rc, err = as_app(f"UPDATE certificate_checks SET {assignment} WHERE number = '{number}'")
        check(rc != 0 and "permission denied" in err, f"esonr_app cannot UPDATE certificate_checks SET {assignment}",
              err)
    rc, err = as_app(f"DELETE FROM certificate_checks WHERE number = '{number}'")
    check(rc != 0 and "permission denied" in err, "esonr_app cannot DELETE from certificate_checks", err)
    rc, err = as_app(f"SELECT count(*) FROM certificate_checks WHERE number = '{number}'")
    check(rc == 0, "esonr_app still reads the kept checks", err)
    rc, err = as_app(f"SELECT certificate_check_record('{number}', sha256('\\x00'), 'probe-key')")
    check(rc == 0, "esonr_app may call certificate_check_record (GET /verify/{number} does)", err)
    check(sql_value("SELECT count(*) FROM certificate_checks WHERE number = :'p1'", number) == "0",
          "a check of bytes that are not the stored file under its key is not filed")
    check(sql_value("SELECT prosecdef AND proconfig::text LIKE '%search_path=pg_catalog, public, pg_temp%'"
                    " FROM pg_proc WHERE proname = 'certificate_check_record'") == "t",
          "certificate_check_record is SECURITY DEFINER with a fixed search_path")


def test_app_role_cannot_rewrite_mails_or_links():
    # A queued mail and a one-time link are written by the change's transaction; the portal's
    # role (the sender's too) afterwards moves only the delivery's columns and marks links used.
    email = add_user("candidate", "Mail Probe", "mailprobe", "mail-probe-pw")
    uid = sql_value("SELECT id FROM users WHERE email = :'p1'", email)
    # 'failed': the sender leaves the row alone while the test probes it
    mail = sql_value("INSERT INTO outbox (kind, user_id, to_addr, to_name, payload, state)"
                     f" VALUES ('reset', {uid}, :'p1', 'Mail Probe', '{{\"token\": \"t0\", \"n\": \"1\"}}',"
                     " 'failed') RETURNING id", email)
    for column, value in (("to_addr", "'attacker@example.test'"), ("to_name", "'X'"), ("kind", "'booked'"),
                          ("user_id", "NULL"), ("message_id", "'x@y'"), ("created_at", "now()")):
        rc, err = as_app(f"UPDATE outbox SET {column} = {value} WHERE id = {mail}")
        check(rc != 0 and "permission denied" in err, f"esonr_app cannot UPDATE outbox.{column}", err)
    rc, err = as_app(f"UPDATE outbox SET payload = '{{\"n\": \"2\"}}' WHERE id = {mail}")
    check(rc != 0, "esonr_app cannot rewrite a mail's facts (payload)", err)
    rc, err = as_app(f"UPDATE outbox SET payload = payload || '{{\"token\": \"t1\"}}' WHERE id = {mail}")
    check(rc != 0, "esonr_app cannot put another link token into a mail", err)
    check(sql_value(f"SELECT to_addr || ' ' || (payload->>'n') || (payload->>'token') FROM outbox WHERE id = {mail}")
          == f"{email} 1t0", "the mail is unchanged")
    rc, err = as_app(f"UPDATE outbox SET payload = payload - 'token', last_error = 'probe',"
                     f" attempts = attempts + 1 WHERE id = {mail}")
    check(rc == 0, "esonr_app may still drop a sent mail's token and keep its delivery state", err)
    check(sql_value(f"SELECT payload::text FROM outbox WHERE id = {mail}") == '{"n": "1"}',
          "only the token went", sql_value(f"SELECT payload::text FROM outbox WHERE id = {mail}"))

    token = sql_value("INSERT INTO mail_tokens (token_hash, purpose, user_id, expires_at)"
                      f" VALUES (decode(repeat('ab', 32), 'hex'), 'reset', {uid}, now() + interval '1 hour')"
                      " RETURNING encode(token_hash, 'hex')")
    where = f"WHERE token_hash = decode('{token}', 'hex')"
    for column, value in (("token_hash", "decode(repeat('cd', 32), 'hex')"), ("user_id", "1"),
                          ("expires_at", "now() + interval '1 year'"), ("purpose", "'confirm'")):
        rc, err = as_app(f"UPDATE mail_tokens SET {column} = {value} {where}")
        check(rc != 0 and "permission denied" in err, f"esonr_app cannot UPDATE mail_tokens.{column}", err)
    rc, err = as_app(f"UPDATE mail_tokens SET used_at = now() {where}")
    check(rc == 0, "esonr_app may still mark a link used", err)
    check(sql_value(f"SELECT user_id || ' ' || purpose || ' ' || (used_at IS NOT NULL) FROM mail_tokens {where}")
          == f"{uid} reset true", "the link is the same, marked used")


def readelf(*args):
    return subprocess.run(["readelf", *args], capture_output=True, text=True).stdout


def test_programs_built_hardened():
    # Debian's hardening: PIE, full RELRO (BIND_NOW), stack protector, fortified calls.
    if os.environ.get("ESONR_BIN"):
        return skip("another build (ESONR_BIN): the sanitized one, or make valgrind's wrappers")
    for prog in (os.path.join(os.path.dirname(ESONRCTL), "esonr-portal"), ESONRCTL):
        name = os.path.basename(prog)
        check("DYN" in readelf("-h", prog), f"{name} is a position-independent executable")
        dyn = readelf("-d", prog)
        check("BIND_NOW" in dyn or "NOW" in dyn.split("FLAGS_1", 1)[-1], f"{name} binds every symbol at start (BIND_NOW)")
        check("GNU_RELRO" in readelf("-l", prog), f"{name} has a read-only relocation segment (RELRO)")
        syms = readelf("--dyn-syms", "-W", prog)
        check("__stack_chk_fail" in syms, f"{name} is built with the stack protector")
        check("_chk@" in syms.replace("__stack_chk_fail@", ""), f"{name} uses fortified libc calls")


if __name__ == "__main__":
    run()
