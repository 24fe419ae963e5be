"""Helpers and the test runner for the integration tests (python3 standard library only).

The tests run against a live stack started by tests/integration/run.sh, which sets
ESONR_URL (http://127.0.0.1:PORT), ESONR_VAR (the stack's state) and ESONR_ROOT
(the repository).

How a test file is written (every new file follows this):

    from harness import check, require, register, run

    def test_waiting_list():
        # A full session puts the next candidate on the waiting list.
        s = add_session("L1", "2027-07-05", "Vienna", 1)   # its own fixtures: nothing shared
        ...
        check(status == 303, "booking a full session answers 303 (waiting list)", status)
        require(bid is not None, "the booking has an id")   # stops this test if false
        ...

    if __name__ == "__main__":
        run()

- A test is a module-level function named test_* (or any function decorated with @test),
  run in the order of the file. Each runs alone in a forked child process, with its own
  fixtures (accounts, sessions, bookings made inside it through esonrctl and HTTP): no test
  reads what another one made, so any test can run by itself and one failure does not cascade.
- check(cond, description, detail) prints "ok - TEST: description" or "not ok - TEST:
  description (detail)" and lets the test go on; require() is the same but ends the test
  when false (for what the rest of it depends on); a plain `assert` works too. An
  exception, a crash or a timeout (ESONR_TEST_TIMEOUT, 240 s) is one "not ok - TEST: ..."
  line, with the traceback as "# " lines; the next test still runs. A test that made no
  check and returned prints "ok - TEST".
- Selecting: `python3 tests/integration/test_booking.py test_waiting_list [test_other ...]`
  runs only those (`--list` lists them); `TEST=test_booking::test_waiting_list
  tests/integration/run.sh` does it on a fresh stack (TEST=test_booking: the whole file;
  several selections separated by commas).
- The process exits 1 iff a test failed, 2 for an unknown test name.

Old style (kept until every file is converted): checks at module level or from one main(),
then finish(). Do not write new files that way.

The helpers the test files share (page text, SQL, accounts, sessions, bookings) follow Client.
"""
import html
import http.client
import itertools
import os
import re
import secrets
import socket
import signal
import subprocess
import sys
import traceback
import urllib.parse

URL = os.environ.get("ESONR_URL", "http://127.0.0.1:8080")
VAR = os.environ.get("ESONR_VAR", "")
ROOT = os.environ.get("ESONR_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# The programs under test: bin/, or another build of them (ESONR_BIN, make test-sanitized).
ESONRCTL = os.path.join(os.environ.get("ESONR_BIN") or os.path.join(ROOT, "bin"), "esonrctl")

_failures = 0
_checks = 0  # lines printed by check(), so that a test with none still prints one
_counter = itertools.count(1)

# <input type="hidden" name="csrf" value="...">, whatever the attribute order.
_INPUT_RE = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r'([a-zA-Z_:-]+)\s*=\s*"([^"]*)"')


_current = None  # the name of the test running in this process, once run() forked it


def check(cond, name, detail=""):
    """Prints one TAP-like line (prefixed with the running test's name); returns cond."""
    global _failures, _checks
    _checks += 1
    if _current:
        name = f"{_current}: {name}"
    if cond:
        print(f"ok - {name}", flush=True)
    else:
        _failures += 1
        detail = " ".join(str(detail).split())  # one line, whatever the detail holds
        print(f"not ok - {name}" + (f" ({detail[:300]})" if detail else ""), flush=True)
    return bool(cond)


class _Stop(Exception):
    """Raised by require(): the failure is already reported, the test ends here."""


def require(cond, name, detail=""):
    """check(), and the running test ends when COND is false (the rest depends on it)."""
    if not check(cond, name, detail):
        raise _Stop(name)
    return True


def finish():
    """Ends an old-style test file: exit status 1 iff a check failed."""
    sys.exit(1 if _failures else 0)


_registered = []


def test(fn):
    """Decorator: registers FN as a test whatever its name (functions named test_* need none)."""
    _registered.append(fn)
    return fn


def _tests_of(module):
    """The module's tests in the order of the file: test_* functions and @test ones."""
    found = [f for f in vars(module).values()
             if callable(f) and getattr(f, "__module__", None) == module.__name__
             and (f.__name__.startswith("test_") or f in _registered)]
    seen, out = set(), []
    for f in sorted(found, key=lambda f: f.__code__.co_firstlineno):
        if f.__name__ not in seen:
            seen.add(f.__name__)
            out.append(f)
    return out


def _one_line(text):
    return " ".join(str(text).split())[:300]


def _run_child(fn, timeout):
    """In the forked child: runs FN, reports, exits 0 (passed) or 1 (failed)."""
    global _current, _failures
    _current, _failures = fn.__name__, 0
    checks_before = _checks
    signal.alarm(timeout)  # the default action ends the child; the parent reports it
    try:
        fn()
    except _Stop:
        pass
    except AssertionError as exc:
        check(False, f"assertion failed: {_one_line(exc) or 'assert'}", _where(exc))
    except BaseException as exc:  # noqa: BLE001 - any crash of a test is its failure, not the run's
        for line in traceback.format_exc().rstrip().splitlines():
            print(f"# {line}")
        check(False, f"crashed: {type(exc).__name__}: {_one_line(exc)}")
    signal.alarm(0)
    if _failures == 0 and _checks == checks_before:
        _current = None
        print(f"ok - {fn.__name__}", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1 if _failures else 0)


def _where(exc):
    tb = traceback.extract_tb(exc.__traceback__)
    return f"{os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""


def run(argv=None):
    """Runs the calling file's tests (all, or those named in ARGV) and exits: 0 all passed, 1 not."""
    module = sys.modules["__main__"]
    argv = sys.argv[1:] if argv is None else argv
    tests = _tests_of(module)
    if "--list" in argv:
        print("\n".join(f.__name__ for f in tests))
        sys.exit(0)
    names = [a for arg in argv for a in arg.split(",") if a]
    by_name = {f.__name__: f for f in tests}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        print(f"not ok - no test named {', '.join(unknown)} in {os.path.basename(module.__file__)} "
              f"(tests: {', '.join(by_name)})", flush=True)
        sys.exit(2)
    if names:
        tests = [f for f in tests if f.__name__ in names]
    if not tests:
        print(f"not ok - {os.path.basename(module.__file__)} has no test", flush=True)
        sys.exit(1)
    timeout = int(os.environ.get("ESONR_TEST_TIMEOUT", "240"))
    file = os.path.splitext(os.path.basename(module.__file__))[0]
    failed = 0
    for fn in tests:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _run_child(fn, timeout)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            why = f"timed out after {timeout} s" if sig == signal.SIGALRM else f"crashed: signal {sig}"
            print(f"not ok - {fn.__name__}: {why}", flush=True)
        if status != 0:
            failed += 1
            print(f"# rerun alone: TEST={file}::{fn.__name__} tests/integration/run.sh", flush=True)
    sys.exit(1 if failed else 0)


def unique_email(prefix="user"):
    """An address no other test (nor an earlier run) has used."""
    return f"{prefix}-{os.getpid()}-{next(_counter)}-{secrets.token_hex(3)}@example.test"


def ctl(*args, stdin=None):
    """Runs bin/esonrctl --var $ESONR_VAR ARGS...; returns (rc, stdout, stderr)."""
    cmd = [ESONRCTL, "--var", VAR, *map(str, args)]
    if isinstance(stdin, str):
        stdin = stdin.encode()
    p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def csrf_token(body):
    """The value of the page's hidden csrf field, or None."""
    for tag in _INPUT_RE.findall(body or ""):
        attrs = {k.lower(): v for k, v in _ATTR_RE.findall(tag)}
        if attrs.get("name") == "csrf" and "value" in attrs:
            return html.unescape(attrs["value"])
    return None


class Client:
    """A browser-like client: keeps cookies, never follows redirects.

    Every method returns (status, headers, body text); headers is an
    http.client.HTTPMessage (headers["Location"], headers.get_all("Set-Cookie")).
    """

    def __init__(self, base=URL, timeout=30):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.timeout = timeout
        self.cookies = {}
        self.csrf = None
        self.status, self.headers, self.body = None, None, ""

    def request(self, method, path, body=None, headers=None):
        hdrs = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        self._keep_cookies(resp.headers)
        text = raw.decode("utf-8", errors="replace")
        token = csrf_token(text)
        if token:
            self.csrf = token
        self.status, self.headers, self.body = resp.status, resp.headers, text
        return resp.status, resp.headers, text

    def _keep_cookies(self, headers):
        for line in headers.get_all("Set-Cookie") or []:
            parts = [p.strip() for p in line.split(";")]
            name, _, value = parts[0].partition("=")
            attrs = {p.partition("=")[0].lower(): p.partition("=")[2] for p in parts[1:]}
            if value == "" or attrs.get("max-age") == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def _with_csrf(self, fields, csrf):
        fields = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf and not any(k == "csrf" for k, _ in fields):
            if self.csrf is None:
                self.get("/login")  # a visitor's pre-session carries the token
            fields.append(("csrf", self.csrf or ""))
        return fields

    def post(self, path, fields=None, csrf=True):
        """A urlencoded form; fields is a dict or a list of (name, value) pairs."""
        body = urllib.parse.urlencode(self._with_csrf(fields or {}, csrf)).encode()
        return self.post_raw(path, body, "application/x-www-form-urlencoded")

    def post_raw(self, path, body, content_type):
        return self.request("POST", path, body=body, headers={"Content-Type": content_type})

    def post_multipart(self, path, fields=None, files=None, csrf=True):
        """multipart/form-data; files maps a field name to (filename, bytes[, content type])."""
        boundary = "----esonr-test-" + secrets.token_hex(12)
        out = []
        for name, value in self._with_csrf(fields or {}, csrf):
            out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.append(value if isinstance(value, bytes) else str(value).encode())
            out.append(b"\r\n")
        for name, spec in (files or {}).items():
            filename, data = spec[0], spec[1]
            ctype = spec[2] if len(spec) > 2 else "application/octet-stream"
            out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                       f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode())
            out.append(data)
            out.append(b"\r\n")
        out.append(f"--{boundary}--\r\n".encode())
        return self.post_raw(path, b"".join(out), f"multipart/form-data; boundary={boundary}")


# ---------------------------------------------------------------- shared test helpers

PSQL = "/usr/lib/postgresql/15/bin/psql"  # the stack's PostgreSQL (scripts/stack.sh PGBIN)


def text_of(body):
    """A page's visible text (scripts and styles dropped, entities decoded), on one line."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body or "", flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def psql(sql, *params, user="postgres"):
    """Runs SQL (one transaction, :'p1'... = PARAMS) as USER over $ESONR_VAR/pg/socket; returns (rc, stdout, stderr)."""
    cmd = [PSQL, "-X", "-q", "-tA", "-F", "\t", "-1", "-v", "ON_ERROR_STOP=1",
           "-h", os.path.join(VAR, "pg", "socket"), "-U", user, "-d", "esonr"]
    for i, p in enumerate(params, 1):
        cmd += ["-v", f"p{i}={p}"]
    p = subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def sql_rows(sql, *params):
    """Runs SQL as the superuser; returns its rows as lists of text (raises if psql fails)."""
    rc, out, err = psql(sql, *params)
    if rc != 0:
        raise RuntimeError(f"psql: {err.strip()}")
    return [line.split("\t") for line in out.splitlines() if line != ""]


def sql_value(sql, *params):
    """Runs SQL as the superuser; returns its output, stripped, columns tab-separated (raises if psql fails)."""
    rc, out, err = psql(sql, *params)
    if rc != 0:
        raise RuntimeError(f"psql: {err.strip()}")
    return out.strip()


def add_user(role, name, prefix, password):
    """Adds an account with `esonrctl user add` under a fresh e-mail (PREFIX-...); returns the e-mail."""
    email = unique_email(prefix)
    rc, out, err = ctl("user", "add", email, "--name", name, "--role", role, stdin=password + "\n")
    if rc != 0:
        raise RuntimeError(f"user add {email}: {err}")
    return email


def login(email, password):
    """A Client signed in as EMAIL (GET, POST /login, GET /dashboard for the new csrf token); raises unless 303."""
    c = Client()
    c.get("/login")
    status, _, body = c.post("/login", {"email": email, "password": password})
    if status != 303:
        raise RuntimeError(f"login {email}: {status} {body[:200]}")
    c.get("/dashboard")  # the signed-in session's csrf token
    c.email = email
    return c


def register(name, prefix, password, courses=(), date=None):
    """Registers NAME (fresh e-mail) on the web, COURSES completed (on DATE); returns the signed-in Client."""
    email = unique_email(prefix)
    c = Client()
    c.get("/register")
    status, _, body = c.post("/register", {"email": email, "full_name": name, "password": password})
    if status != 303:
        raise RuntimeError(f"register {email}: {status} {text_of(body)[:200]}")
    c.get("/dashboard")  # the signed-in session's csrf token
    for course in courses:
        rc, out, err = ctl("completion", "add", email, course, *(("--date", date) if date else ()))
        if rc != 0:
            raise RuntimeError(f"completion add {email} {course}: {rc} {out} {err}")
    c.email = email
    return c


def add_session(exam, date, location, capacity=20, *extra):
    """Adds an exam session with `esonrctl session add` (EXTRA: more options); returns its id."""
    rc, out, err = ctl("session", "add", exam, "--date", date, "--location", location,
                       "--capacity", capacity, *extra)
    if rc != 0 or not out.strip().isdigit():
        raise RuntimeError(f"session add {exam} {date}: {rc} {out} {err}")
    return out.strip()


def book(client, session):
    """Books SESSION as the signed-in CLIENT; returns the booking id (raises unless 303 to /bookings/ID)."""
    status, headers, body = client.post(f"/exams/{session}/book")
    m = re.search(r"/bookings/(\d+)$", headers.get("Location") or "")
    if status != 303 or not m:
        raise RuntimeError(f"booking session {session} as {getattr(client, 'email', '?')}: "
                           f"{status} {text_of(body)[:300]}")
    return m.group(1)


def roster(session):
    """`esonrctl session roster` as rows [booking id, e-mail, status, outcome]."""
    rc, out, err = ctl("session", "roster", session)
    if rc != 0:
        raise RuntimeError(f"session roster {session}: {rc} {err}")
    return [line.split("\t") for line in out.splitlines()]


def side_by_side(client, path, rounds, method="GET"):
    """ROUNDS requests of PATH with CLIENT's cookies, 8 at a time, each on a connection of its
    own (so that every worker of the stack answers some): [(status, headers, body)]."""
    import concurrent.futures
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    def one(_):
        return Client().request(method, path, headers={"Cookie": cookies})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(rounds)))


def post_oversized(path, size, content_type="application/octet-stream"):
    """POSTs SIZE bytes over a raw socket (nginx may answer before the body is sent); returns the raw answer."""
    u = urllib.parse.urlsplit(URL)
    sock = socket.create_connection((u.hostname, u.port), timeout=30)
    head = (f"POST {path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {size}\r\n"
            "Connection: close\r\n\r\n").encode()
    chunk = b"x" * 65536
    try:
        sock.sendall(head)
        sent = 0
        while sent < size:
            sock.sendall(chunk[:size - sent])
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the answer came first: read it below
    data = b""
    try:
        while True:
            part = sock.recv(65536)
            if not part:
                break
            data += part
    except (ConnectionResetError, socket.timeout):
        pass
    sock.close()
    return data.decode("latin-1")


# ---------------------------------------------------------------- certificates

def passed_session(date, names, prefix, password, location="Certificates test hall, Vienna", score=75):
    """An L1 session on DATE where every one of NAMES (registered now, GALEN completed) passed:
    booked, closed, results entered by an examiner of its own, not yet published.
    Returns (session id, [signed-in Client per name])."""
    examiner_email = add_user("examiner", "Dr Test Examiner", f"{prefix}-exam", password)
    examiner = login(examiner_email, password)
    cands = [register(n, f"{prefix}-cand", password, ["GALEN"]) for n in names]
    sid = add_session("L1", date, location)
    ctl("session", "examiner", sid, examiner_email)
    bookings = [book(c, sid) for c in cands]
    ctl("session", "close", sid)
    fields = []
    for b in bookings:
        fields += [(f"written_{b}", str(score)), (f"oral_{b}", str(score))]
    status, _, body = examiner.post(f"/examiner/sessions/{sid}/results", fields)
    if status != 303:
        raise RuntimeError(f"results of session {sid}: {status} {text_of(body)[:200]}")
    return sid, cands


def certificate_of(client):
    """The number of CLIENT's newest certificate with a PDF and the PDF's bytes, as downloaded."""
    _, _, body = client.get("/certificates")
    numbers = re.findall(r'href="/certificates/(ESNR-[A-Z0-9-]+)\.pdf"', body)
    if not numbers:
        raise RuntimeError(f"no certificate to download for {getattr(client, 'email', '?')}")
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request("GET", f"/certificates/{numbers[0]}.pdf", headers={
        "Host": f"{u.hostname}:{u.port}", "Connection": "close",
        "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"GET /certificates/{numbers[0]}.pdf: {resp.status}")
    return numbers[0], data
