"""The audit log is checked against anchors kept outside PostgreSQL (issue 12).

Whoever can write the database can rewrite an entry and recompute every hash after it, and
the chain then checks out on its own. The anchors (the head signed with a key in
$VAR/anchor, written by `esonrctl audit anchor`, periodically and at every publication)
expose that rewrite and say where it starts.
"""
import contextlib
import fcntl
import os

from harness import VAR, add_user, check, ctl, login, psql, require, run, sql_value, text_of

ANCHORS = os.path.join(VAR, "anchor", "anchors")


@contextlib.contextmanager
def anchoring_paused():
    """Holds the anchors file's lock: no anchor (periodic or at publication) is written meanwhile."""
    with open(ANCHORS, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def audited_change():
    """One new audit entry (an office rename); returns its id."""
    email = add_user("candidate", "Anchor Probe", "anchor", "anchor-probe-pw")
    rc, _, err = ctl("user", "rename", email, "--name", "Anchor Probe Renamed")
    require(rc == 0, "esonrctl user rename works", err)
    return int(sql_value("SELECT max(id) FROM audit_log WHERE action = 'user.rename'"))


# Rewrites entry :p1's `after` and recomputes the chain from there on, as an attacker with the
# database's owner role would; the saved copy restores it afterwards.
REWRITE = """
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
CREATE TABLE IF NOT EXISTS audit_saved AS SELECT * FROM audit_log WHERE false;
INSERT INTO audit_saved SELECT * FROM audit_log WHERE id >= :p1;
UPDATE audit_log SET after = '{"full_name": "Forged"}' WHERE id = :p1;
DO $$
DECLARE
    r audit_log%ROWTYPE;
    prev bytea;
BEGIN
    SELECT hash INTO prev FROM audit_log WHERE id = (SELECT min(id) - 1 FROM audit_saved);
    prev := coalesce(prev, '\\x0000000000000000000000000000000000000000000000000000000000000000');
    FOR r IN SELECT * FROM audit_log WHERE id >= (SELECT min(id) FROM audit_saved) ORDER BY id LOOP
        UPDATE audit_log SET prev_hash = prev, hash = sha256(prev || convert_to(audit_payload(r.id, r.at,
            r.actor_id, r.action, r.entity, r.entity_id, r.before, r.after), 'UTF8')) WHERE id = r.id
            RETURNING hash INTO prev;
    END LOOP;
    UPDATE audit_head SET last_hash = prev;
END
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
"""

RESTORE = """
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log l SET after = s.after, prev_hash = s.prev_hash, hash = s.hash FROM audit_saved s WHERE l.id = s.id;
UPDATE audit_head SET last_hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1);
DROP TABLE audit_saved;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
"""


def test_anchor_then_verify():
    # esonrctl audit anchor signs the head; verify says how much of the log is anchored.
    entry = audited_change()
    rc, out, err = ctl("audit", "anchor")
    check(rc == 0 and f"entry {entry}" in out, "esonrctl audit anchor anchors the newest entry", out + err)
    rc, out, _ = ctl("audit", "anchor")
    check(rc == 0 and "unchanged" in out, "a second anchor without new entries writes nothing", out)
    rc, out, _ = ctl("audit", "verify")
    check(rc == 0 and "intact" in out and "anchored" in out, "audit verify: intact, and anchored", out)
    st = os.stat(os.path.join(VAR, "anchor"))
    check(st.st_mode & 0o007 == 0, "the anchor folder is closed to other users", oct(st.st_mode))
    keys = [n for n in os.listdir(os.path.join(VAR, "anchor")) if n.endswith(".key")]
    check(len(keys) == 1 and os.stat(os.path.join(VAR, "anchor", keys[0])).st_mode & 0o077 == 0,
          "the anchor's secret key is readable by its owner only", keys)


def test_rewrite_with_recomputed_hashes_is_found():
    # A rewritten entry with its chain recomputed is found, and where the rewrite starts.
    entry = audited_change()
    later = audited_change()
    rc, out, err = ctl("audit", "anchor")
    require(rc == 0, "the log is anchored", out + err)
    with anchoring_paused():
        rc, _, err = psql(REWRITE, entry)
        require(rc == 0, "the rewrite (as the database's owner) went through", err)
        try:
            chain_ok = sql_value(
                "SELECT bool_and(hash = sha256(prev_hash || convert_to(audit_payload(id, at, actor_id, action,"
                " entity, entity_id, before, after), 'UTF8'))) FROM audit_log")
            check(chain_ok == "t", "the rewritten chain is consistent in itself (the attack the anchors stop)",
                  chain_ok)
            rc, out, _ = ctl("audit", "verify")
            check(rc == 1 and "NOT intact" in out, "audit verify finds the rewrite", out)
            check(f"from entry {entry} on" in out, "and names the entry where the rewrite starts", out)
        finally:
            rc, _, err = psql(RESTORE)
            require(rc == 0, "the original entries are put back", err)
    rc, out, _ = ctl("audit", "verify")
    check(rc == 0 and "intact" in out, "restored: audit verify says intact again", out)
    check(later > entry, "two entries were anchored", (entry, later))


def test_forged_anchor_is_refused():
    # An edited anchors file (a hash changed to match a rewritten log) fails its signature.
    audited_change()
    rc, out, err = ctl("audit", "anchor")
    require(rc == 0, "the log is anchored", out + err)
    with anchoring_paused():
        with open(ANCHORS) as f:
            original = f.read()
        lines = original.splitlines(keepends=True)
        i = max(n for n, line in enumerate(lines) if line.startswith("entry "))
        parts = lines[i].split()
        lines[i] = f"entry {parts[1]} {'0' * 64}\n"
        try:
            with open(ANCHORS, "w") as f:
                f.write("".join(lines))
            rc, out, _ = ctl("audit", "verify")
            check(rc == 1 and "anchor" in out, "audit verify refuses an edited anchors file", out)
        finally:
            with open(ANCHORS, "w") as f:
                f.write(original)
    rc, out, _ = ctl("audit", "verify")
    check(rc == 0, "the original anchors file verifies again", out)


def test_publication_anchors():
    # Every publication anchors the log at once (no waiting for the periodic anchor).
    before = sql_value("SELECT count(*) FROM audit_log")
    rc, out, _ = ctl("session", "add", "L1", "--date", "2035-03-05", "--location", "Anchorage", "--capacity", "3",
                     "--opens", "2035-01-01T09:00+01:00", "--closes", "2035-03-01T09:00+01:00",
                     "--cancel-until", "2035-02-01T09:00+01:00")
    require(rc == 0, "a session exists", out)
    sid = out.strip()
    rc, out, err = ctl("session", "close", sid)
    require(rc == 0, "the session is closed", out + err)
    rc, out, err = ctl("session", "publish", sid)
    require(rc == 0, "the session is published", out + err)
    head = sql_value("SELECT last_id FROM audit_head")
    with open(ANCHORS) as f:
        last = [line for line in f if line.startswith("anchor ")][-1].split()
    check(last[2] == head and int(head) > int(before), "the newest anchor is the publication's entry",
          (last[2], head))


def test_the_office_sees_the_anchors():
    # /admin/audit: intact or not, and how far the log is anchored; the office's only.
    audited_change()
    rc, out, err = ctl("audit", "anchor")
    require(rc == 0, "the log is anchored", out + err)
    head = sql_value("SELECT last_id FROM audit_head")
    office_pw = "office-audit-pw"
    office = login(add_user("admin", "Audit Office", "auditoffice", office_pw), office_pw)
    status, _, body = office.get("/admin/audit")
    page = text_of(body)
    check(status == 200 and "is intact" in page, "the office's audit page says the log is intact", page[:300])
    check(f"entries 1 to {head}" in page, "and how far it is anchored", page[:400])
    cand_pw = "cand-audit-pw"
    cand = login(add_user("candidate", "Audit Candidate", "auditcand", cand_pw), cand_pw)
    check(cand.get("/admin/audit")[0] == 403, "a candidate may not see it")


def test_actor_comes_from_the_session():
    # audit_append() records who is signed in to the request's session, not whom the caller names.
    office_pw = "office-actor-pw"
    office = add_user("admin", "Actor Office", "actoroffice", office_pw)
    office_id = sql_value("SELECT id FROM users WHERE email = :'p1'", office)
    cand = add_user("candidate", "Actor Candidate", "actorcand", "actor-cand-pw")
    cand_id = sql_value("SELECT id FROM users WHERE email = :'p1'", cand)
    before = sql_value("SELECT last_id FROM audit_head")
    append = (f"SELECT audit_append({office_id}, 'user.rename', 'user', '{cand_id}', NULL, "
              "'{\"full_name\": \"Forged\"}'::jsonb)")
    rc, _, err = psql(append, user="esonr_app")
    check(rc != 0 and "session" in err, "the portal's role cannot name an actor without a session", err)
    session = sql_value("INSERT INTO websessions (token_hash, user_id, expires_at) VALUES "
                        f"(sha256(gen_random_uuid()::text::bytea), {cand_id}, now() + interval '1 hour') "
                        "RETURNING encode(token_hash, 'hex')")
    rc, _, err = psql(f"SELECT set_config('esonr.session', '{session}', true); {append}", user="esonr_app")
    check(rc != 0 and "not the user of the session" in err,
          "nor name the office while the session is a candidate's", err)
    check(sql_value("SELECT last_id FROM audit_head") == before, "nothing was appended by either")
    admin = login(office, office_pw)
    status, _, _ = admin.post(f"/admin/candidates/{cand_id}/name", {"full_name": "Actor Candidate Renamed"})
    require(status == 303, "the office renames the candidate through its form", status)
    actor = sql_value("SELECT actor_id FROM audit_log WHERE action = 'user.rename' AND entity_id = :'p1' "
                      "ORDER BY id DESC LIMIT 1", cand_id)
    check(actor == office_id, "the entry's actor is the office user signed in", (actor, office_id))


if __name__ == "__main__":
    run()
