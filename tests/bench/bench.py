"""make bench, the part over a running stack (tests/bench/run.sh starts and stops it).

Loads realistic data in bulk (tests/bench/data.sql), signs users in by creating their
browser sessions directly (the stored BLAKE2b hash of a random token, as the portal
does), drives pages with wrk through nginx and prints one table. Environment:
BENCH_URL, BENCH_VAR, BENCH_ROOT, BENCH_SECONDS (per page, default 6).
"""
import hashlib
import http.client
import json
import os
import re
import secrets
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

URL = os.environ["BENCH_URL"]
VAR = os.environ["BENCH_VAR"]
ROOT = os.environ["BENCH_ROOT"]
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
PSQL = "/usr/lib/postgresql/15/bin/psql"
ESONRCTL = os.path.join(ROOT, "bin", "esonrctl")
PASSWORD = "bench-password-1"
HOST = urllib.parse.urlsplit(URL).hostname
PORT = urllib.parse.urlsplit(URL).port

requests_served = 0  # by wrk, between the two RSS readings


def psql(sql, *args):
    cmd = [PSQL, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", os.path.join(VAR, "pg", "socket"),
           "-U", "postgres", "-d", "esonr", *args]
    p = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: psql: {p.stderr.strip()}")
    return p.stdout.strip()


def load(lo, hi, first, pw_hash):
    t = time.monotonic()
    psql("", "-v", f"lo={lo}", "-v", f"hi={hi}", "-v", f"first={first}", "-v", f"hash={pw_hash}",
         "-f", os.path.join(ROOT, "tests", "bench", "data.sql"))
    return time.monotonic() - t


def sign_in(emails):
    """A browser session per e-mail, made as a login would; returns {email: cookie value}."""
    tokens = {e: secrets.token_bytes(32) for e in emails}
    rows = "\n".join(f"\\\\x{hashlib.blake2b(t, digest_size=32).hexdigest()}\t{e}" for e, t in tokens.items())
    psql("CREATE TEMP TABLE t (h bytea, email text);\n"
         "COPY t FROM STDIN;\n" + rows + "\n\\.\n"
         "INSERT INTO websessions (token_hash, user_id, expires_at)"
         " SELECT t.h, u.id, now() + interval '12 hours' FROM t JOIN users u ON u.email = t.email;")
    return {e: t.hex() for e, t in tokens.items()}


def parse_time(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", s)
    v = float(m.group(1))
    return v * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]


def wrk(path, cookie=None, conns=32, seconds=SECONDS, script=None, background=False):
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: esonr_session={cookie}"]
    if script:
        cmd += ["-s", script]
    cmd.append(URL + path)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if background:
        return p
    return wrk_result(p)


def wrk_result(p):
    global requests_served
    out = p.communicate()[0]
    r = {"rps": 0.0, "p50": float("nan"), "p99": float("nan"), "bad": 0, "n": 0}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            r["rps"] = float(line.split()[1])
        elif re.match(r"^50%\s", line):
            r["p50"] = parse_time(line.split()[1])
        elif re.match(r"^99%\s", line):
            r["p99"] = parse_time(line.split()[1])
        elif line.startswith("Non-2xx or 3xx responses:"):
            r["bad"] = int(line.split()[-1])
        elif re.match(r"^\d+ requests in", line):
            r["n"] = int(line.split()[0])
    if r["rps"] == 0:
        print(out, file=sys.stderr)
    requests_served += r["n"]
    return r


def paced(pages):
    """wrk over each (key, path, cookie), the first being anonymous `/`. A shared machine's
    speed drifts within a run (here by up to a factor of two within minutes), so each page's
    ratio is to anonymous `/` measured right before and right after it (half as long, the
    mean of the two), not to the one measurement at the start."""
    out = {}
    anon = [wrk("/", seconds=max(2, SECONDS // 2))]
    for key, path, cookie in pages:
        r = wrk(path, cookie)
        anon.append(wrk("/", seconds=max(2, SECONDS // 2)))
        r["ratio"] = r["rps"] / ((anon[-2]["rps"] + anon[-1]["rps"]) / 2)
        out[key] = r
    return out


def worker_rss():
    """Resident memory (KiB) of each FastCGI worker (the portal parent's children)."""
    parent = open(os.path.join(VAR, "run", "portal.pid")).read().strip()
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                st = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if st.get("PPid", "").strip() == parent:
            out[int(pid)] = int(st.get("VmRSS", "0 kB").split()[0])
    return out


def get(path, cookie, conn=None):
    c = conn or http.client.HTTPConnection(HOST, PORT, timeout=30)
    c.request("GET", path, headers={"Cookie": f"esonr_session={cookie}"})
    r = c.getresponse()
    return r.status, r.read().decode("utf-8", "replace")


def csrf_of(body):
    m = re.search(r'name="csrf" value="([^"]+)"', body)
    return m.group(1) if m else None


# ------------------------------------------------------------------------------ phases

def login_script(n_accounts):
    """A wrk script posting correct logins for n_accounts accounts, each with its own
    pre-session (cookie + CSRF token from GET /login), round robin."""
    pairs = []
    for k in range(n_accounts):
        c = http.client.HTTPConnection(HOST, PORT, timeout=30)
        c.request("GET", "/login")
        r = c.getresponse()
        body = r.read().decode()
        cookie = r.getheader("Set-Cookie").split(";")[0]
        body_form = urllib.parse.urlencode({"email": f"cand{2000 + k}@bench.example",
                                            "password": PASSWORD, "csrf": csrf_of(body)})
        pairs.append((cookie, body_form))
    lua = ["local logins = {"]
    for cookie, form in pairs:
        lua.append(f"  {{ {json.dumps(cookie)}, {json.dumps(form)} }},")
    lua.append("}")
    lua.append("local i = 0")
    lua.append("request = function()\n  i = i % #logins + 1\n  local l = logins[i]\n"
               "  return wrk.format('POST', '/login', { ['Cookie'] = l[1],"
               " ['Content-Type'] = 'application/x-www-form-urlencoded' }, l[2])\nend")
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write("\n".join(lua) + "\n")
    f.close()
    return f.name


def cpu_ticks():
    """(all, stolen) CPU time so far, in ticks: what the hypervisor gave other guests counts
    as stolen (on the machines here it has taken up to a third of each core)."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(f), f[7]


def stolen(since):
    total, steal = cpu_ticks()
    return (steal - since[1]) / max(1, total - since[0])


def booking_rush(n_candidates=300, capacity=100):
    """n candidates, signed in and on the exams page, all post a booking of one session
    within the same second. Returns the counts and latencies."""
    rc = subprocess.run([ESONRCTL, "--var", VAR, "session", "add", "L1", "--date",
                         time.strftime("%Y-%m-%d", time.gmtime(time.time() + 60 * 86400)),
                         "--location", "Bench rush hall", "--capacity", str(capacity)],
                        capture_output=True, text=True)
    if rc.returncode != 0:
        sys.exit(f"bench: session add: {rc.stderr}")
    session = rc.stdout.strip()
    # b 20..29: GALEN attended, no L1 certificate, no live L1 booking: eligible.
    emails = [f"cand{i}@bench.example" for i in range(1, 5001) if 20 <= i % 100 <= 29][:n_candidates]
    cookies = sign_in(emails)
    # Each candidate has loaded the exams page (its form's CSRF token) and holds a connection
    # open. One thread then sends all the bookings as fast as it can and reads the answers as
    # they come (selectors): the client stays out of the way of the stack it measures, as
    # browsers on other machines would, where 300 Python threads took a third of these two
    # cores. A booking's time runs from its request's send to the end of its answer.
    clients = []
    for e in emails:
        status, body = get("/exams", cookies[e])
        form = urllib.parse.urlencode({"csrf": csrf_of(body)}).encode()
        request = (f"POST /exams/{session}/book HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
                   f"Cookie: esonr_session={cookies[e]}\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\n"
                   f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n").encode() + form
        clients.append({"sock": socket.create_connection((HOST, PORT), timeout=60), "request": request,
                        "answer": b"", "sent": None, "done": None})
    sel = selectors.DefaultSelector()
    ticks = cpu_ticks()
    for c in clients:
        c["sent"] = time.monotonic()
        try:
            c["sock"].sendall(c["request"])
        except OSError as ex:  # a refused connection counts as a failure
            print(f"bench: rush request failed: {ex}", file=sys.stderr)
            c["done"] = c["sent"]
            continue
        c["sock"].setblocking(False)
        sel.register(c["sock"], selectors.EVENT_READ, c)
    waiting = sum(1 for c in clients if c["done"] is None)
    while waiting:
        events = sel.select(timeout=60)
        if not events:
            break  # what is still open after a minute counts as failed
        for key, _ in events:
            c = key.data
            try:
                chunk = c["sock"].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                c["answer"] += chunk
                continue
            c["done"] = time.monotonic()
            sel.unregister(c["sock"])
            c["sock"].close()
            waiting -= 1
    steal = stolen(ticks)
    results = []
    for c in clients:
        m = re.match(rb"HTTP/1\.[01] (\d{3})", c["answer"])
        done = c["done"] if c["done"] is not None else time.monotonic()
        results.append((int(m.group(1)) if m else 599, (done - c["sent"]) * 1000, c["sent"]))
    roster = subprocess.run([ESONRCTL, "--var", VAR, "session", "roster", session],
                            capture_output=True, text=True).stdout.splitlines()
    statuses = [line.split("\t")[2] for line in roster if line.count("\t") >= 3]
    lat = sorted(r[1] for r in results)
    starts = [r[2] for r in results]
    return {
        "booked": statuses.count("booked"), "waitlisted": statuses.count("waitlisted"),
        "http_5xx": sum(1 for r in results if r[0] >= 500),
        "http_303": sum(1 for r in results if r[0] == 303),
        "p50": lat[len(lat) // 2], "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
        "spread_ms": (max(starts) - min(starts)) * 1000, "n": len(results), "steal": steal,
        "session": session,
    }


RUSHES = 3


def booking_rushes():
    """The rush RUSHES times, on a new session each time, with the same candidates: between
    two, their bookings are cancelled and the session closed (directly in the database: the
    next rush needs them eligible again, not the waiting list's promotions)."""
    rushes = []
    for i in range(RUSHES):
        rushes.append(booking_rush())
        psql(f"UPDATE bookings SET status = 'cancelled' WHERE session_id = {rushes[-1]['session']};"
             f"UPDATE exam_sessions SET closed_at = now() WHERE id = {rushes[-1]['session']};")
        time.sleep(4)  # the rush's mail goes out (the sender waits for the burst to pass)
    return rushes


def main():
    print(f"== data: bulk load")
    rc = subprocess.run([ESONRCTL, "--var", VAR, "user", "add", "seed@bench.example", "--name", "Bench Seed",
                         "--role", "candidate"], input=PASSWORD + "\n", capture_output=True, text=True)
    if rc.returncode != 0:
        sys.exit(f"bench: user add: {rc.stderr}")
    pw_hash = psql("SELECT password_hash FROM users WHERE email = 'seed@bench.example'")
    t100 = load(1, 100, 1, pw_hash)
    who = {"candidate": "cand55@bench.example", "examiner": "examiner3@bench.example",
           "admin": "office@bench.example"}
    cookies = sign_in(list(who.values()))
    cand, exam, admin = cookies[who["candidate"]], cookies[who["examiner"]], cookies[who["admin"]]
    # The demo's certificate, really issued (the bulk ones share its PDF bytes, so their
    # stored files do not carry their own numbers and would not verify).
    number = psql("SELECT number FROM certificates ORDER BY issued_at DESC LIMIT 1")
    for path, c in (("/dashboard", cand), ("/dashboard", exam), ("/dashboard", admin), ("/exams", cand),
                    ("/results", cand), (f"/verify/{number}", None)):
        status, body = get(path, c) if c else get(path, "-")
        if status != 200:
            sys.exit(f"bench: GET {path} answered {status}")

    rss_before = worker_rss()
    run_ticks = cpu_ticks()
    global requests_served
    requests_served = 0
    small = paced([("anon", "/", None), ("dash_c", "/dashboard", cand), ("dash_e", "/dashboard", exam),
                   ("dash_a", "/dashboard", admin), ("exams", "/exams", cand),
                   ("results", "/results", cand), ("verify", f"/verify/{number}", None)])

    t5000 = load(101, 5000, 0, pw_hash)
    counts = psql("SELECT (SELECT count(*) FROM users WHERE role = 'candidate') || ' candidates, ' ||"
                  " (SELECT count(*) FROM exam_sessions) || ' sessions, ' ||"
                  " (SELECT count(*) FROM bookings) || ' bookings, ' ||"
                  " (SELECT count(*) FROM certificates) || ' certificates'")
    print(f"   {counts} (loaded in {t100 + t5000:.1f} s)")
    if psql("SELECT number FROM certificates ORDER BY issued_at DESC LIMIT 1") != number:
        sys.exit("bench: the demo's certificate is no longer the newest")

    rows = [
        ("/ anonymous", "/", None, "anon"),
        ("/ signed in (candidate)", "/", cand, None),
        ("/dashboard candidate", "/dashboard", cand, "dash_c"),
        ("/dashboard examiner", "/dashboard", exam, "dash_e"),
        ("/dashboard admin", "/dashboard", admin, "dash_a"),
        ("/exams candidate", "/exams", cand, "exams"),
        ("/results candidate", "/results", cand, "results"),
        (f"/verify/{{number}}", f"/verify/{number}", None, "verify"),
    ]
    full = paced([(label, path, c) for label, path, c, key in rows])

    # Logins flat out (16 connections) while candidates read /results.
    script = login_script(16)
    flood = wrk("/login", conns=16, seconds=SECONDS + 2, script=script, background=True)
    time.sleep(1)
    under = wrk("/results", cand, seconds=SECONDS)
    flood = wrk_result(flood)
    os.unlink(script)

    rushes = booking_rushes()
    rss_after = worker_rss()

    print()
    print(f"{'page (5,000 candidates)':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs anon /':>9}"
          f"   {'100 cand.: req/s':>16} {'p99 ms':>7} {'vs anon /':>9}")
    for label, path, c, key in rows:
        r = full[label]
        line = f"{label:34} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['ratio']:9.2f}"
        if key:
            s = small[key]
            line += f"   {s['rps']:16.0f} {s['p99']:7.2f} {s['ratio']:9.2f}"
        if r["bad"]:
            line += f"   ({r['bad']} non-2xx/3xx!)"
        print(line)
    res = full["/results candidate"]
    print()
    print(f"login flood (16 connections, correct logins): {flood['rps']:.0f} logins/s answered, "
          f"p99 {flood['p99']:.0f} ms, {flood['bad']} of {flood['n']} answered 503 (busy)")
    print(f"  /results meanwhile: {under['rps']:.0f} req/s ({under['rps'] / res['rps']:.0%} of unloaded "
          f"{res['rps']:.0f}), p50 {under['p50']:.2f} ms, p99 {under['p99']:.2f} ms, {under['bad']} non-2xx/3xx")
    for rush in rushes:
        print(f"booking rush: {rush['n']} candidates, one {100}-seat session, requests sent within "
              f"{rush['spread_ms']:.0f} ms: {rush['booked']} booked, {rush['waitlisted']} waitlisted, "
              f"{rush['http_303']} × 303, {rush['http_5xx']} × 5xx, p50 {rush['p50']:.0f} ms, p99 {rush['p99']:.0f} ms"
              f" (CPU stolen {rush['steal']:.0%})")
    p99s = sorted(r["p99"] for r in rushes)
    print(f"  booking rush p99, median of {len(rushes)}: {p99s[len(p99s) // 2]:.0f} ms")
    before = sum(rss_before.values()) / max(1, len(rss_before))
    common = [p for p in rss_before if p in rss_after]
    after = sum(rss_after[p] for p in common) / max(1, len(common))
    print(f"worker RSS: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after {requests_served:,} "
          f"requests (mean of {len(common)} workers alive throughout"
          f"{'' if len(common) == len(rss_before) else ', some were restarted!'})")
    print(f"CPU time stolen by the hypervisor over the run: {stolen(run_ticks):.0%}")


main()
