"""Remembered sessions (issue 11): a worker that has seen a signed-in session serves its
next GET on what it remembers, and the database confirms the session in the page's own
round trip. Whatever changes in the database between two pages (the session ends, expires
or idles out; the account is renamed, changes role or confirms its address) shows on the
very next page, at every worker, and no page is ever shown under a session that no longer
holds. Pages read the session without writing it: its last use is stored at most once a
minute.

Every change is checked over many requests sent side by side, so that every worker of the
stack, each of which remembers the session by then, answers some of them.
"""
import hashlib
import os
import re

from harness import VAR, Client, add_user, side_by_side, check, ctl, login, require, run, sql_value, text_of

PASSWORD = "remembered-sessions-pw-1"
ROUNDS = 40  # requests side by side: every worker of the stack answers some of them


def many(client, path, method="GET"):
    """ROUNDS requests with CLIENT's cookies, side by side: [(status, headers, body)]."""
    return side_by_side(client, path, ROUNDS, method)


def warm(client, path="/dashboard"):
    """Every worker has served (and so remembers) the client's session."""
    answers = many(client, path)
    require(all(s == 200 for s, _, _ in answers), f"GET {path} answers 200 signed in, {ROUNDS} times",
            [s for s, _, _ in answers])


def session_where(client):
    """A SQL condition naming the client's session row: the BLAKE2b hash of its cookie's token."""
    token = next(v for k, v in client.cookies.items() if k.endswith("esonr_session"))
    return f"token_hash = '\\x{hashlib.blake2b(bytes.fromhex(token), digest_size=32).hexdigest()}'::bytea"


def candidate(prefix):
    email = add_user("candidate", "Remembered Candidate", prefix, PASSWORD)
    return login(email, PASSWORD)


def test_rename_shows_at_once():
    c = candidate("rs-rename")
    warm(c)
    rc, _, err = ctl("user", "rename", c.email, "--name", "Renamed Everywhere")
    require(rc == 0, "esonrctl user rename works", err)
    answers = many(c, "/dashboard")
    shown = [("Renamed Everywhere" in text_of(b), "Remembered Candidate" in text_of(b)) for _, _, b in answers]
    check(all(s == 200 for s, _, _ in answers), "the dashboard still answers 200 after the rename")
    check(all(new and not old for new, old in shown),
          f"all {ROUNDS} dashboards after the rename show the new name, none the old one",
          [x for x in shown if x != (True, False)][:5])


def test_sign_out_ends_it_at_every_worker():
    c = candidate("rs-signout")
    warm(c, "/results")
    replay = Client()
    replay.cookies = dict(c.cookies)  # the same cookie, kept by someone else
    status, headers, _ = c.post("/logout")
    require(status == 303, "signing out answers 303", status)
    answers = many(replay, "/results")
    check(all(s == 303 and (h.get("Location") or "").endswith("/login") for s, h, _ in answers),
          f"all {ROUNDS} replays of the signed-out cookie are sent to /login",
          sorted({s for s, _, _ in answers}))
    check(not any("Remembered Candidate" in b for _, _, b in answers),
          "none of them shows the account's name")


def test_expiry_and_idle_end_it():
    for prefix, change in (("rs-expired", "expires_at = now() - interval '1 second'"),
                           ("rs-idle", "last_seen_at = now() - interval '2 hours'")):
        c = candidate(prefix)
        warm(c)
        sql_value(f"UPDATE websessions SET {change} WHERE {session_where(c)}")
        answers = many(c, "/dashboard")
        check(all(s == 303 for s, _, _ in answers),
              f"{prefix[3:]}: all {ROUNDS} pages after the session {'expired' if 'exp' in prefix else 'idled out'}"
              " send the browser to /login", sorted({s for s, _, _ in answers}))


def test_role_change_applies_at_once():
    c = candidate("rs-role")
    warm(c, "/exams")
    sql_value(f"UPDATE users SET role = 'examiner' WHERE email = '{c.email}'")
    answers = many(c, "/exams")
    check(all(s == 403 for s, _, _ in answers),
          f"all {ROUNDS} requests for /exams after the account became an examiner's answer 403",
          sorted({s for s, _, _ in answers}))
    answers = many(c, "/dashboard")
    check(all(s == 200 and "Sessions assigned to you" in b and "Your bookings" not in b for s, _, b in answers),
          "and every dashboard is an examiner's, none a candidate's", sorted({s for s, _, _ in answers}))


def test_password_reset_ends_every_session():
    c = candidate("rs-reset")
    other = login(c.email, PASSWORD)  # a second browser of the same account
    warm(c)
    warm(other)
    sql_value(f"DELETE FROM websessions WHERE user_id = (SELECT id FROM users WHERE email = '{c.email}')")
    for who, client in (("the first", c), ("the second", other)):
        answers = many(client, "/dashboard")
        check(all(s == 303 for s, _, _ in answers),
              f"{who} browser is signed out at every worker once its sessions are gone",
              sorted({s for s, _, _ in answers}))


def test_pages_do_not_write_the_session():
    c = candidate("rs-nowrite")
    warm(c)
    before = sql_value(f"SELECT xmin::text || ' ' || last_seen_at FROM websessions WHERE {session_where(c)}")
    warm(c)
    many(c, "/exams")
    after = sql_value(f"SELECT xmin::text || ' ' || last_seen_at FROM websessions WHERE {session_where(c)}")
    check(before == after and before != "", f"{2 * ROUNDS} more pages within a minute leave the session row as it was",
          f"{before} → {after}")
    sql_value(f"UPDATE websessions SET last_seen_at = now() - interval '5 minutes' WHERE {session_where(c)}")
    many(c, "/dashboard")
    age = sql_value(f"SELECT extract(epoch FROM now() - last_seen_at)::int FROM websessions WHERE {session_where(c)}")
    check(age.isdigit() and int(age) < 60, "a page after five minutes records the session's use again", age)


def test_head_and_visitor():
    c = candidate("rs-head")
    warm(c)
    answers = many(c, "/dashboard", method="HEAD")
    check(all(s == 200 and b == "" for s, _, b in answers), "HEAD of the dashboard answers 200 without a body",
          sorted({s for s, _, _ in answers}))
    sql_value(f"DELETE FROM websessions WHERE {session_where(c)}")
    answers = many(c, "/dashboard", method="HEAD")
    check(all(s == 303 for s, _, _ in answers), "and 303 to /login once the session is gone",
          sorted({s for s, _, _ in answers}))
    status, _, body = Client().get("/")
    check(status == 200 and "Log out" not in body, "a visitor's / is unaffected", status)


def test_confirmation_shows_at_once():
    c = candidate("rs-confirm")
    sql_value(f"UPDATE users SET email_confirmed_at = NULL WHERE email = '{c.email}'")
    c.get("/dashboard")
    unconfirmed = text_of(c.body)
    warm(c)
    sql_value(f"UPDATE users SET email_confirmed_at = now() WHERE email = '{c.email}'")
    answers = many(c, "/dashboard")
    texts = {text_of(b) for _, _, b in answers}
    check(len(texts) == 1, f"all {ROUNDS} dashboards after the confirmation read the same", len(texts))
    check(re.search(r"not confirmed yet", unconfirmed) is not None,
          "before, the dashboard asks to confirm the address")
    check(not any("not confirmed yet" in t for t in texts),
          "after, none of the dashboards asks for it any more")


def test_pages_read_only_with_the_check():
    # Statements that travel with an unconfirmed session check must only read: the portal
    # refuses (and logs) one declared so that could write. Every page above ran them.
    c = candidate("rs-reads")
    for path in ("/dashboard", "/exams", "/results", "/certificates"):
        warm(c, path)
    with open(os.path.join(VAR, "log", "portal.log"), encoding="utf-8", errors="replace") as f:
        refused = [line for line in f if "declared DB_READ but may write" in line]
    check(not refused, "no statement declared read-only was found to write", refused[:3])


if __name__ == "__main__":
    run()
