"""What the speed work must not break: the browser-session touch (at most one write a
minute, idle expiry still exact), signed-in pages that write nothing, and a booking rush
larger than the FastCGI socket's queue (exact counts, no 5xx). Timing is `make bench`'s
business, never asserted here."""
import hashlib
import http.client
import re
import secrets
import threading
import urllib.parse

from harness import (URL, Client, add_session, add_user, book, check, csrf_token, login, register, require, roster,
                     run, sql_rows, sql_value)

PASSWORD = "load-test-password-1"
U = urllib.parse.urlsplit(URL)


def token_hash(cookie):
    """The stored form of a session cookie: BLAKE2b-256 of its 32 bytes, as bytea text."""
    return "\\x" + hashlib.blake2b(bytes.fromhex(cookie), digest_size=32).hexdigest()


def session_row(c):
    """(xmin, last_seen_at) of the signed-in client's session row."""
    rows = sql_rows("SELECT xmin::text, last_seen_at::text FROM websessions WHERE token_hash = :'p1';",
                    token_hash(c.cookies["esonr_session"]))
    return tuple(rows[0]) if rows else None


def test_signed_in_pages_write_nothing():
    email = add_user("candidate", "Wanda Write-Nothing", "nowrite", PASSWORD)
    c = login(email, PASSWORD)
    before = session_row(c)
    require(before is not None, "the signed-in session is stored")
    for path in ("/dashboard", "/exams", "/results", "/", "/certificates", "/dashboard"):
        status, _, _ = c.get(path)
        check(status == 200, f"GET {path} answers 200 when signed in", status)
    check(session_row(c) == before,
          "six signed-in page views within the minute leave the session row untouched (same xmin, same last_seen_at)",
          f"{before} -> {session_row(c)}")


def test_touch_extends_and_idle_expiry_holds():
    email = add_user("candidate", "Theo Touch", "touch", PASSWORD)
    c = login(email, PASSWORD)
    h = token_hash(c.cookies["esonr_session"])
    sql_value("UPDATE websessions SET last_seen_at = now() - interval '50 minutes' WHERE token_hash = :'p1';", h)
    status, _, _ = c.get("/dashboard")
    check(status == 200, "a session idle for 50 minutes still works", status)
    age = float(sql_value("SELECT extract(epoch FROM now() - last_seen_at) FROM websessions WHERE token_hash = :'p1';", h))
    check(age < 30, "using a session idle for more than a minute records the visit (last_seen_at now)", age)
    sql_value("UPDATE websessions SET last_seen_at = now() - interval '61 minutes' WHERE token_hash = :'p1';", h)
    status, headers, _ = c.get("/dashboard")
    check(status == 303 and headers.get("Location") == "/login",
          "a session idle for 61 minutes has expired: /dashboard sends to /login", (status, headers.get("Location")))


def signed_in_candidates(n):
    """N candidates with GALEN completed, made in bulk with SQL (the password hash of one
    real account), each with a browser session; returns their cookies."""
    seed = add_user("candidate", "Rush Seed", "rushseed", PASSWORD)
    tag = secrets.token_hex(4)
    cookies = [secrets.token_hex(32) for _ in range(n)]
    values = ",".join(f"({i}, '{token_hash(k)}')" for i, k in enumerate(cookies))
    sql_value(f"""
        CREATE TEMP TABLE t (i int, h bytea);
        INSERT INTO t VALUES {values};
        INSERT INTO users (email, full_name, role, password_hash)
          SELECT format('rush-%s-%s@example.test', :'p1', i), format('Rush Candidate %s', i), 'candidate',
                 (SELECT password_hash FROM users WHERE email = :'p2') FROM t;
        INSERT INTO attendances (user_id, course_code, attended_on)
          SELECT u.id, 'GALEN', DATE '2024-03-01' FROM t JOIN users u ON u.email = format('rush-%s-%s@example.test', :'p1', t.i);
        INSERT INTO websessions (token_hash, user_id, expires_at)
          SELECT t.h, u.id, now() + interval '1 hour' FROM t JOIN users u ON u.email = format('rush-%s-%s@example.test', :'p1', t.i);
    """, tag, seed)
    return cookies


def test_rush_larger_than_the_socket_queue():
    # More simultaneous bookings than the FastCGI listen queue of old (256): none may be refused.
    n, seats = 300, 100
    s = add_session("L1", "2027-11-15", "Rush hall, Vienna", str(seats))
    cookies = signed_in_candidates(n)
    conns = []
    for k in cookies:
        conn = http.client.HTTPConnection(U.hostname, U.port, timeout=120)
        conn.request("GET", "/exams", headers={"Cookie": f"esonr_session={k}"})
        r = conn.getresponse()
        conns.append((conn, k, csrf_token(r.read().decode())))
    require(all(x[2] for x in conns), f"{n} candidates are signed in (the exams page carries their csrf token)")
    barrier = threading.Barrier(n)
    statuses = [None] * n

    def rush(i):
        conn, k, csrf = conns[i]
        barrier.wait(timeout=120)
        try:
            conn.request("POST", f"/exams/{s}/book", body=urllib.parse.urlencode({"csrf": csrf}),
                         headers={"Cookie": f"esonr_session={k}",
                                  "Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            r.read()
            statuses[i] = r.status
        except Exception as exc:  # noqa: BLE001 - a refused connection is a result too
            statuses[i] = f"error: {exc}"
        finally:
            conn.close()

    threads = [threading.Thread(target=rush, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(all(st == 303 for st in statuses), f"all {n} simultaneous bookings answer 303 (no 5xx, no error)",
          sorted(set(map(str, statuses))))
    rows = roster(s)
    booked = sum(1 for r in rows if r[2] == "booked")
    waiting = sum(1 for r in rows if r[2] == "waitlisted")
    check(booked == seats and waiting == n - seats,
          f"exactly {seats} booked and {n - seats} waitlisted", f"{booked} booked, {waiting} waitlisted")
    check(sql_value("SELECT booked_count FROM exam_sessions WHERE id = :'p1';", s) == str(seats),
          "the session's booked count says the same")


def test_counters_follow_bookings_and_accounts():
    # The counts pages show are kept by triggers, not counted per page view: they must follow
    # bookings, cancellations, promotions and new accounts exactly.
    s = add_session("L1", "2027-12-06", "Counter hall, Graz", "1")
    people = [register(f"Carla Counter {i}", "counter", PASSWORD, courses=("GALEN",)) for i in range(3)]
    ids = [book(c, s) for c in people]
    status, _, body = people[2].get("/exams")
    check(status == 200 and re.search(rf'id="session-{s}".*?Full</span>: 2 on the waiting list', body, re.S),
          "the exams page shows a full session with 2 on the waiting list", status)
    status, _, _ = people[0].post(f"/bookings/{ids[0]}/cancel")
    check(status == 303, "the booked candidate cancels", status)
    check(sql_value("SELECT booked_count || ' ' || waitlisted_count FROM exam_sessions WHERE id = :'p1';", s) == "1 1",
          "after the cancellation and the promotion: 1 booked, 1 on the waiting list")
    check(sql_value("SELECT count(*) FROM exam_sessions s WHERE waitlisted_count <>"
                    " (SELECT count(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'waitlisted');") == "0",
          "every session's waiting-list count equals its waitlisted bookings")
    check(sql_value("SELECT count(*) FROM user_counts c WHERE n <> (SELECT count(*) FROM users u WHERE u.role = c.role);")
          == "0", "the accounts per role equal the users of that role")
    admin = login(add_user("admin", "Olga Office", "counteroffice", PASSWORD), PASSWORD)
    status, _, body = admin.get("/dashboard")
    n = sql_value("SELECT count(*) FROM users WHERE role = 'candidate';")
    check(status == 200 and f"<strong>{n}</strong> candidates" in body,
          f"the office's dashboard counts {n} candidates", status)


def test_login_flood_meets_a_bounded_pool():
    # Logins hash passwords in a pool of their own with a short queue: beyond it a login is
    # told to retry (503, Retry-After, the project's page) instead of making everyone wait.
    emails = [add_user("candidate", f"Flora Flood {i}", "flood", PASSWORD) for i in range(4)]
    n = 200
    forms = []
    for i in range(n):
        c = Client()
        c.get("/login")
        forms.append((c, emails[i % len(emails)]))
    barrier = threading.Barrier(n)
    answers = [None] * n

    def log_in(i):
        c, email = forms[i]
        barrier.wait(timeout=60)
        try:
            status, headers, body = c.post("/login", {"email": email, "password": PASSWORD})
            answers[i] = (status, headers.get("Retry-After"), body, headers.get("Content-Security-Policy"))
        except Exception as exc:  # noqa: BLE001 - a refused connection is a result too
            answers[i] = (f"error: {exc}", None, "", None)

    threads = [threading.Thread(target=log_in, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(set(str(a[0]) for a in answers))
    check(set(statuses) <= {"303", "503"}, f"{n} simultaneous logins answer 303 (signed in) or 503 (busy), nothing else",
          statuses)
    busy = [a for a in answers if a[0] == 503]
    check(len(busy) > 0, "beyond the pool's queue, logins answer 503", statuses)
    check(len(busy) < n, "the pool still signs some of them in", statuses)
    check(all(a[1] is not None and a[1].isdigit() for a in busy), "every 503 says when to retry (Retry-After)",
          [a[1] for a in busy][:5])
    check(all("Many people are signing in right now" in a[2] for a in busy),
          "the 503 is the portal's own page, saying why", busy[0][2][:200] if busy else "")
    check(all(a[3] and "default-src 'none'" in a[3] for a in busy), "the 503 page keeps the security headers")
    status, _, _ = Client().get("/login")
    check(status == 200, "meanwhile and after, the login form is an ordinary page (200)", status)
    c = login(emails[0], PASSWORD)
    status, _, _ = c.get("/dashboard")
    check(status == 200, "once the burst is over, logging in works again", status)


if __name__ == "__main__":
    run()
