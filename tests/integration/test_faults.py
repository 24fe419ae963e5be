"""Faults (issue 12): a worker killed in the middle of a booking, a results entry and a
publication; SIGTERM with requests in flight; PostgreSQL restarted under load; $VAR's disk
full (sign-ups, a booking, a publication, an audit anchor).

"In the middle": the test holds a row lock (or an uncommitted conflicting row) in its own
PostgreSQL transaction where the request's transaction will need it, so that the worker
serving the request is caught after its first writes, then SIGKILLs exactly that worker
(found through the unix socket it shares with the waiting backend), then lets go.
"""
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse

from harness import (PSQL, ROOT, URL, VAR, Client, add_session, add_user, book, check, ctl, login, register,
                     require, run, sql_value)

PASSWORD = "faults-test-password"
YEAR = "2032"


class Holder:
    """A psql session of the superuser that holds a transaction open until release()."""

    def __init__(self, sql):
        self.p = subprocess.Popen([PSQL, "-X", "-qtA", "-v", "ON_ERROR_STOP=1", "-h", os.path.join(VAR, "pg", "socket"),
                                   "-U", "postgres", "-d", "esonr"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.p.stdin.write("BEGIN;\n" + sql + "\nSELECT 'held';\n")
        self.p.stdin.flush()
        line = None
        while line not in ("held", ""):  # the lock's own output lines come first
            line = self.p.stdout.readline().strip() if self.p.poll() is None or line is None else ""
        require(line == "held", "the test's transaction holds its lock", self.p.poll())

    def release(self):
        self.p.communicate("ROLLBACK;\n", timeout=30)


def portal_pid():
    with open(os.path.join(VAR, "run", "portal.pid")) as f:
        return int(f.read().strip())


def worker_pids():
    out = subprocess.run(["pgrep", "-P", str(portal_pid())], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def waiting_worker(timeout=20):
    """The worker whose database backend waits for a lock: through the socket pair they share."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        backends = sql_value("SELECT string_agg(pid::text, ',') FROM pg_stat_activity"
                             " WHERE application_name = 'esonr' AND wait_event_type = 'Lock'")
        if backends:
            ss = subprocess.run(["ss", "-xpn"], capture_output=True, text=True).stdout
            peer_of = {}   # backend pid -> the inode of the worker's end
            owner = {}     # inode -> worker pid
            for line in ss.splitlines():
                m = re.search(r"\s(\d+)\s+\S+\s+(\d+)\s+users:\(\(\"([^\"]+)\",pid=(\d+)", line)
                if not m:
                    continue
                inode, peer, prog, pid = m.group(1), m.group(2), m.group(3), int(m.group(4))
                if prog == "postgres" and str(pid) in backends.split(","):
                    peer_of[pid] = peer
                else:  # the worker's name is valgrind's under make valgrind: matched by pid below
                    owner[inode] = pid
            workers = worker_pids()
            for backend, peer in peer_of.items():
                if owner.get(peer) in workers:
                    return owner[peer]
        time.sleep(0.1)
    return None


def in_background(fn):
    result = {}
    t = threading.Thread(target=lambda: result.update(answer=_safe(fn)))
    t.start()
    return t, result


def _safe(fn):
    try:
        return fn()
    except Exception as e:  # the connection dies with the worker: that is the point
        return e


def killed_in_the_middle(lock_sql, request):
    """Holds LOCK_SQL, sends REQUEST (a function) from a thread, SIGKILLs the worker caught
    waiting, releases; returns what the client got. The release comes a moment after the
    kill: the server looks for a vanished client every 100 ms while a statement waits
    (client_connection_check_interval, src/db/db.c), and a batch may end in COMMIT."""
    holder = Holder(lock_sql)
    t, result = in_background(request)
    worker = waiting_worker()
    check(worker is not None, "the worker serving the request is caught mid-transaction", worker)
    if worker:
        os.kill(worker, signal.SIGKILL)
        time.sleep(0.5)
    holder.release()
    t.join(60)
    return result.get("answer"), worker


def site_keeps_serving(killed):
    for _ in range(50):
        pids = worker_pids()
        if killed not in pids and len(pids) >= 2:
            break
        time.sleep(0.1)
    check(killed not in worker_pids(), "the killed worker is replaced", worker_pids())
    statuses = [Client().get("/")[0] for _ in range(10)]
    check(statuses == [200] * 10, "and the site keeps serving", statuses)


def test_worker_killed_in_the_middle_of_a_booking():
    s = add_session("L1", f"{YEAR}-04-01", "Fault hall A", 5)
    c = register("Fanny Fault", "fault-book", PASSWORD, ["GALEN"])
    uid = sql_value("SELECT id FROM users WHERE email = :'p1'", c.email)
    # The booking locks the session, then inserts its row: an uncommitted row of ours for the
    # same candidate and exam makes that insert wait (one live booking per candidate and exam).
    lock = (f"INSERT INTO bookings (session_id, exam_code, user_id, status, ics_uid) VALUES "
            f"({s}, 'L1', {uid}, 'waitlisted', 'fault-{uid}');")
    answer, worker = killed_in_the_middle(lock, lambda: c.post(f"/exams/{s}/book"))
    check(not isinstance(answer, tuple) or answer[0] >= 500, "the client gets no success", answer)
    check(sql_value(f"SELECT count(*) FROM bookings WHERE user_id = {uid}") == "0", "no booking row is left")
    check(sql_value(f"SELECT booked_count FROM exam_sessions WHERE id = {s}") == "0", "the seat count is unchanged")
    check(sql_value(f"SELECT count(*) FROM outbox WHERE user_id = {uid} AND kind IN ('booked', 'waitlisted')") == "0",
          "and no booking mail is queued")
    site_keeps_serving(worker)
    check(re.search(r"/bookings/\d+$", c.post(f"/exams/{s}/book")[1].get("Location") or ""),
          "the candidate books again, normally")


def closed_session(n, location):
    examiner_email = add_user("examiner", "Dr Fault Marker", "fault-exam", PASSWORD)
    s = add_session("L1", f"{YEAR}-05-0{n}", location, 5)
    ctl("session", "examiner", s, examiner_email)
    cands = [register(f"Fault Candidate {i}", "fault-c", PASSWORD, ["GALEN"]) for i in range(2)]
    bookings = [book(c, s) for c in cands]
    rc, _, err = ctl("session", "close", s)
    require(rc == 0, "set-up: the session is closed", err)
    return s, bookings, login(examiner_email, PASSWORD)


def test_worker_killed_in_the_middle_of_a_results_entry():
    s, (b1, b2), examiner = closed_session(1, "Fault hall B")
    # The first row is written, then the second waits for our uncommitted row of it.
    lock = f"INSERT INTO results (booking_id, computed_outcome) VALUES ({b2}, 'pending');"
    fields = [(f"written_{b1}", "70"), (f"oral_{b1}", "70"), (f"written_{b2}", "50"), (f"oral_{b2}", "50")]
    answer, worker = killed_in_the_middle(lock, lambda: examiner.post(f"/examiner/sessions/{s}/results", fields))
    check(sql_value(f"SELECT count(*) FROM results WHERE booking_id IN ({b1}, {b2})") == "0",
          "no result row is left, not even the first")
    site_keeps_serving(worker)
    status, _, _ = examiner.post(f"/examiner/sessions/{s}/results", fields)
    check(status == 303, "the examiner saves the roster again, normally", status)


def test_worker_killed_in_the_middle_of_a_publication():
    s, (b1, b2), examiner = closed_session(2, "Fault hall C")
    fields = [(f"written_{b1}", "70"), (f"oral_{b1}", "70"), (f"written_{b2}", "50"), (f"oral_{b2}", "50")]
    require(examiner.post(f"/examiner/sessions/{s}/results", fields)[0] == 303, "set-up: results entered")
    office_email = add_user("admin", "Fault Office", "fault-office", PASSWORD)
    office = login(office_email, PASSWORD)
    head = sql_value("SELECT last_id FROM audit_head")
    # Publication marks the session and its bookings, then numbers the certificates under the
    # serial counter's row lock: ours makes it wait there.
    sql_value(f"INSERT INTO certificate_serials (exam_code, year) VALUES ('L1', {YEAR}) ON CONFLICT DO NOTHING")
    lock = f"SELECT 1 FROM certificate_serials WHERE exam_code = 'L1' AND year = {YEAR} FOR UPDATE;"
    answer, worker = killed_in_the_middle(lock, lambda: office.post(f"/admin/sessions/{s}/publish"))
    check(sql_value(f"SELECT published_at IS NULL FROM exam_sessions WHERE id = {s}") == "t",
          "the session is not published")
    check(sql_value(f"SELECT count(*) FROM certificates WHERE session_id = {s}") == "0", "no certificate exists")
    check(sql_value(f"SELECT bool_and(live) FROM bookings WHERE session_id = {s}") == "t", "its bookings are live")
    check(sql_value("SELECT last_id FROM audit_head") == head, "the audit log has no entry of it")
    check(sql_value("SELECT count(*) FROM outbox o JOIN bookings b ON b.user_id = o.user_id"
                    f" WHERE b.session_id = {s} AND o.kind IN ('results', 'cert_issued')") == "0",
          "no results or certificate mail is queued")
    site_keeps_serving(worker)
    status, _, _ = office.post(f"/admin/sessions/{s}/publish")
    check(status == 303 and sql_value(f"SELECT count(*) FROM certificates WHERE session_id = {s}") == "1",
          "the office publishes again, normally: one certificate", status)


def stack(*args, env=None):
    port = urllib.parse.urlsplit(URL).port
    e = dict(os.environ, PORT=str(port), VAR=VAR, ESONR_DEMO="0", **(env or {}))
    return subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), *args], env=e, capture_output=True,
                          text=True, timeout=180)


def test_sigterm_lets_requests_in_flight_finish():
    s = add_session("L1", f"{YEAR}-06-01", "Fault hall D", 5)
    c = register("Tereza Term", "fault-term", PASSWORD, ["GALEN"])
    holder = Holder(f"SELECT 1 FROM exam_sessions WHERE id = {s} FOR UPDATE;")
    t, result = in_background(lambda: c.post(f"/exams/{s}/book"))
    require(waiting_worker() is not None, "a booking is in flight")
    parent = portal_pid()
    os.kill(parent, signal.SIGTERM)
    time.sleep(1)
    holder.release()
    t.join(60)
    answer = result.get("answer")
    check(isinstance(answer, tuple) and answer[0] == 303, "the booking in flight completes (303)", answer)
    check(sql_value(f"SELECT count(*) FROM bookings WHERE session_id = {s} AND status = 'booked'") == "1",
          "and is stored")
    gone = False
    for _ in range(600):  # the sanitized build takes its time to stop
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            gone = True
            break
        time.sleep(0.1)
    check(gone, "then the portal stops")
    for path in ("/login", "/dashboard"):
        # a login goes to the hashing pool, whose refusal alone would mean "busy"
        status, _, body = Client().post(path, {"email": "x@example.test", "password": "x"}, csrf=False) \
            if path == "/login" else Client().get(path)
        check(status == 503 and "temporarily unavailable" in body and "Many people" not in body,
              f"with the portal down, {'POST' if path == '/login' else 'GET'} {path} shows the unavailable page",
              (status, body[:200]))
    p = stack("start")
    status = Client().get("/")[0]
    check(p.returncode == 0 and status == 200, "the stack starts again", (status, p.stdout[-300:], p.stderr[-300:]))


def test_postgresql_restarted_under_load():
    before = worker_pids()
    pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    ctl_bin = "/usr/lib/postgresql/15/bin/pg_ctl"
    data = os.path.join(VAR, "pg", "data")
    statuses, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            try:
                statuses.append(Client(timeout=10).get("/verify/keys")[0])
            except Exception:
                statuses.append(0)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for _ in range(4):
            pool.submit(load)
        time.sleep(1)
        subprocess.run(pg + [ctl_bin, "-D", data, "stop", "-m", "fast"], capture_output=True, cwd="/")
        time.sleep(2)
        opts = f"-c listen_addresses='' -c unix_socket_directories={VAR}/pg/socket -c port=5432"
        subprocess.run(pg + [ctl_bin, "-D", data, "-w", "-o", opts, "-l", os.path.join(VAR, "log", "postgresql.log"),
                            "start"], capture_output=True, cwd="/")
        time.sleep(2)
        stop.set()
    seen = set(statuses)
    check(503 in seen, "while PostgreSQL is away, pages answer 503", sorted(seen))
    check(seen <= {200, 503}, "and nothing else (no 500, no broken connection)", sorted(seen))
    check(statuses[-20:] == [200] * 20, "then every request is served again", statuses[-20:])
    check(worker_pids() == before, "without any worker restarting", (before, worker_pids()))


def test_disk_of_var_full():
    # A stack of its own whose VAR is a small file system; then the disk is filled up.
    if os.geteuid() != 0 or not shutil.which("mkfs.ext4"):
        return check(True, "skipped: making a small loop-mounted file system needs root and mkfs.ext4")
    base = os.path.join(ROOT, "build", "itest", f"diskfull-{os.getpid()}")
    img, mnt = base + ".img", base + ".mnt"
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["truncate", "-s", "300M", img], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", img], check=True)
    if subprocess.run(["mount", "-o", "loop", img, mnt], capture_output=True).returncode != 0:
        os.remove(img)
        return check(True, "skipped: this machine cannot loop-mount a file system here")
    port = int(subprocess.run(["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0));"
                               " print(s.getsockname()[1])"], capture_output=True, text=True).stdout)
    env = dict(os.environ, PORT=str(port), VAR=mnt, ESONR_DEMO="0")
    url = f"http://127.0.0.1:{port}"
    try:
        p = subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), "start"], env=env, capture_output=True,
                           text=True, timeout=180)
        require(p.returncode == 0, "a stack starts on a small file system", p.stdout[-300:] + p.stderr[-300:])
        # Before the disk fills: a candidate who may book, and a session whose results wait for
        # publication (examiner and office signed in).
        booker = signed_in(url, mnt, "candidate", "Disk Booker", f"dfb-{os.getpid()}@example.test", ["GALEN"])
        open_session = ctl_at(mnt, "session", "add", "L1", "--date", "2033-03-01", "--location", "Disk hall A",
                              "--capacity", "5")[1]
        holder = signed_in(url, mnt, "candidate", "Disk Holder", f"dfh-{os.getpid()}@example.test", ["GALEN"])
        marker_email = f"dfe-{os.getpid()}@example.test"
        marker = signed_in(url, mnt, "examiner", "Dr Disk Marker", marker_email)
        office = signed_in(url, mnt, "admin", "Disk Office", f"dfo-{os.getpid()}@example.test")
        to_publish = ctl_at(mnt, "session", "add", "L1", "--date", "2033-03-02", "--location", "Disk hall B",
                            "--capacity", "5")[1]
        ctl_at(mnt, "session", "examiner", to_publish, marker_email)
        booked = re.search(r"/bookings/(\d+)$", holder.post(f"/exams/{to_publish}/book")[1].get("Location") or "")
        require(booked, "set-up: a booking of the session to publish")
        b = booked.group(1)
        require(ctl_at(mnt, "session", "close", to_publish)[0] == 0, "set-up: its booking is closed")
        require(marker.post(f"/examiner/sessions/{to_publish}/results", [(f"written_{b}", "75"), (f"oral_{b}", "75")])[0]
                == 303, "set-up: its results are entered")
        filler = os.path.join(mnt, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "status=none"], capture_output=True)
        with open(filler, "ab") as f:  # the last blocks too
            try:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
            except OSError:
                pass
        c = Client(url)
        c.get("/register")
        email = f"full-{os.getpid()}@example.test"
        statuses = []
        for i in range(3):
            statuses.append(c.post("/register", {"email": f"{i}{email}", "full_name": "Disk Full",
                                                 "password": PASSWORD})[0])
        body = c.body
        print("# sign-ups on the full disk:", statuses, flush=True)
        check(all(s in (303, 500, 503) for s in statuses), "sign-ups on a full disk answer 303 or a clear 5xx",
              statuses)
        check(any(s >= 500 for s in statuses) and ("try again" in body.lower() or "unavailable" in body.lower()),
              "at least one says it could not be done", (statuses, body[:300]))
        rc = subprocess.run([os.path.join(os.path.dirname(PSQL), "psql"), "-X", "-qtA", "-h",
                             os.path.join(mnt, "pg", "socket"), "-U", "postgres", "-d", "esonr", "-c",
                             f"SELECT count(*) FROM users WHERE email LIKE '%{email}'"],
                            capture_output=True, text=True)
        anchors = os.path.join(mnt, "anchor", "anchors")
        before = open(anchors).read() if os.path.exists(anchors) else ""
        a = subprocess.run([ESONRCTL_PATH, "--var", mnt, "audit", "anchor"], capture_output=True, text=True)
        after = open(anchors).read() if os.path.exists(anchors) else ""
        check(a.returncode == 0 or "No space" in a.stderr or "short write" in a.stderr,
              "esonrctl audit anchor on a full disk succeeds or says the disk is full", a.stdout + a.stderr)
        check(after == before or (after.startswith(before) and after.endswith("\n")
                                  and after.splitlines()[-1].startswith("anchor ")),
              "the anchors file holds whole anchors only", (len(before), len(after)))
        booking, _, booking_body = booker.post(f"/exams/{open_session}/book")
        publication, _, publication_body = office.post(f"/admin/sessions/{to_publish}/publish")
        print("# on the full disk: booking", booking, "publication", publication, flush=True)
        for what, status, body in (("a booking", booking, booking_body), ("a publication", publication,
                                                                           publication_body)):
            check(status == 303 or (status in (500, 503) and ("try again" in body.lower()
                                                              or "unavailable" in body.lower())),
                  f"{what} on a full disk succeeds (303) or answers a clear 5xx", (status, body[:300]))
        os.remove(filler)
        time.sleep(1)
        stored = int(rc.stdout.strip() or 0) if rc.returncode == 0 else None
        check(stored is None or stored == statuses.count(303), "no sign-up is half-stored", (stored, statuses))
        rows = sql_at(mnt, f"SELECT (SELECT count(*) FROM bookings WHERE session_id = {open_session}),"
                           f" (SELECT booked_count FROM exam_sessions WHERE id = {open_session}),"
                           f" (SELECT count(*) FROM outbox WHERE kind = 'booked' AND to_addr = '{booker.email}')")
        want = "1" if booking == 303 else "0"
        check(rows == f"{want}|{want}|{want}", "the booking is whole or absent: row, seat count and mail agree",
              (booking, rows))
        rows = sql_at(mnt, f"SELECT (SELECT (published_at IS NOT NULL)::int FROM exam_sessions WHERE id = {to_publish}),"
                           f" (SELECT count(*) FROM certificates WHERE session_id = {to_publish}),"
                           f" (SELECT count(*) FROM outbox WHERE kind = 'results' AND to_addr = '{holder.email}')")
        want = "1" if publication == 303 else "0"
        check(rows == f"{want}|{want}|{want}",
              "the publication is whole or absent: session, certificate and mail agree", (publication, rows))
        for _ in range(30):
            if booking == 303 and publication == 303:
                break
            time.sleep(1)
            if booking != 303:
                booking = booker.post(f"/exams/{open_session}/book")[0]
            if publication != 303:
                publication = office.post(f"/admin/sessions/{to_publish}/publish")[0]
        check((booking, publication) == (303, 303), "with space again, the booking and the publication go through",
              (booking, publication))
        check(sql_at(mnt, f"SELECT count(*) FROM certificates WHERE session_id = {to_publish}") == "1",
              "one certificate, issued once")
        c2 = Client(url)
        c2.get("/register")
        ok = [c2.post("/register", {"email": f"again-{email}", "full_name": "Disk Freed", "password": PASSWORD})[0]
              for _ in range(1)]
        for _ in range(30):
            if ok[-1] == 303:
                break
            time.sleep(1)
            c2 = Client(url)
            c2.get("/register")
            ok.append(c2.post("/register", {"email": f"again{len(ok)}-{email}", "full_name": "Disk Freed",
                                            "password": PASSWORD})[0])
        check(ok[-1] == 303, "with space again, sign-ups work without a restart", ok)
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), "stop"], env=env, capture_output=True, timeout=120)
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        shutil.rmtree(mnt, ignore_errors=True)
        if os.path.exists(img):
            os.remove(img)


ESONRCTL_PATH = os.path.join(os.environ.get("ESONR_BIN") or os.path.join(ROOT, "bin"), "esonrctl")


def ctl_at(var, *args, stdin=None):
    """esonrctl --var VAR ARGS (another stack than the suite's); returns (rc, stdout stripped, stderr)."""
    p = subprocess.run([ESONRCTL_PATH, "--var", var, *map(str, args)], input=stdin, capture_output=True,
                       text=True, timeout=180)
    return p.returncode, p.stdout.strip(), p.stderr


def sql_at(var, sql):
    """One query as the superuser of the stack under VAR; its rows '|'-separated."""
    p = subprocess.run([PSQL, "-X", "-qtA", "-h", os.path.join(var, "pg", "socket"), "-U", "postgres", "-d", "esonr",
                        "-c", sql], capture_output=True, text=True, timeout=60)
    return p.stdout.strip() if p.returncode == 0 else f"psql: {p.stderr.strip()}"


def signed_in(url, var, role, name, email, courses=()):
    """An account made with esonrctl on the stack under VAR, signed in there."""
    rc, _, err = ctl_at(var, "user", "add", email, "--name", name, "--role", role, stdin=PASSWORD + "\n")
    require(rc == 0, f"set-up: {role} {email} exists", err)
    for course in courses:
        require(ctl_at(var, "completion", "add", email, course)[0] == 0, f"set-up: {email} completed {course}")
    c = Client(url)
    c.get("/login")
    require(c.post("/login", {"email": email, "password": PASSWORD})[0] == 303, f"set-up: {email} signs in")
    c.get("/dashboard")
    c.email = email
    return c

if __name__ == "__main__":
    run()
