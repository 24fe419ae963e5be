"""Helpers for the integration tests (python3 standard library only).

The tests run against a live stack started by tests/integration/run.sh, which sets
ESONR_URL (http://127.0.0.1:PORT), ESONR_VAR (the stack's state) and ESONR_ROOT
(the repository). Each test file prints one "ok - NAME" / "not ok - NAME" line per
check (check()) and ends with finish(), which exits 1 if any check failed. The helpers
the test files share (page text, SQL, accounts, sessions, bookings) follow Client.
"""
import html
import http.client
import itertools
import os
import re
import secrets
import socket
import subprocess
import sys
import urllib.parse

URL = os.environ.get("ESONR_URL", "http://127.0.0.1:8080")
VAR = os.environ.get("ESONR_VAR", "")
ROOT = os.environ.get("ESONR_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# The programs under test: bin/, or another build of them (ESONR_BIN, make test-sanitized).
ESONRCTL = os.path.join(os.environ.get("ESONR_BIN") or os.path.join(ROOT, "bin"), "esonrctl")

_failures = 0
_counter = itertools.count(1)

# <input type="hidden" name="csrf" value="...">, whatever the attribute order.
_INPUT_RE = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r'([a-zA-Z_:-]+)\s*=\s*"([^"]*)"')


def check(cond, name, detail=""):
    """Prints one TAP-like line; returns cond so a test can stop depending on it."""
    global _failures
    if cond:
        print(f"ok - {name}", flush=True)
    else:
        _failures += 1
        detail = " ".join(str(detail).split())  # one line, whatever the detail holds
        print(f"not ok - {name}" + (f" ({detail[:300]})" if detail else ""), flush=True)
    return bool(cond)


def finish():
    """Ends a test file: exit status 1 iff a check failed."""
    sys.exit(1 if _failures else 0)


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
