"""The stack itself: nginx in front of the portal, as a visitor sees it."""
import os
import re
import subprocess
import time
import urllib.parse

from harness import Client, ROOT, URL, VAR, check, post_oversized, run

CSP_NEEDS = ("default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'")


def security_headers(headers, where):
    csp = headers.get("Content-Security-Policy", "")
    check(all(part in csp for part in CSP_NEEDS) and "unsafe-inline" not in csp
          and "unsafe-eval" not in csp, f"{where}: strict Content-Security-Policy", csp)
    check(headers.get("X-Content-Type-Options") == "nosniff", f"{where}: X-Content-Type-Options nosniff")
    check(headers.get("X-Frame-Options") == "DENY", f"{where}: X-Frame-Options DENY")
    check(headers.get("Referrer-Policy") == "same-origin", f"{where}: Referrer-Policy same-origin")
    server = headers.get("Server", "")
    check(not re.search(r"[0-9/]", server), f"{where}: Server header without a version", server)


def test_landing_page():
    status, headers, body = Client().get("/")
    check(status == 200, "GET / answers 200", status)
    security_headers(headers, "GET /")
    check("<script" not in body.lower(), "GET / has no script element")


def test_static_file():
    if not os.path.exists(os.path.join(ROOT, "static", "style.css")):
        print("ok - GET /static/style.css # SKIP static/style.css not written yet")
        return
    status, headers, _ = Client().get("/static/style.css")
    check(status == 200, "GET /static/style.css answers 200", status)
    check(headers.get("Content-Type", "").startswith("text/css"), "style.css is served as text/css",
          headers.get("Content-Type"))
    check("max-age" in headers.get("Cache-Control", ""), "style.css carries caching headers")
    security_headers(headers, "GET /static/style.css")
    status, _, _ = Client().get("/static/no-such-file.css")
    check(status == 404, "a missing static file answers 404", status)


def test_oversized_body():
    answer = post_oversized("/verify", 12 * 1024 * 1024)
    status_line = answer.split("\r\n", 1)[0]
    check(" 413 " in status_line + " ", "a 12 MB POST answers 413", status_line)
    check(not re.search(r"nginx/[0-9]", answer), "the 413 page does not reveal the nginx version")
    status, _, _ = Client().get("/")
    check(status == 200, "GET / still answers 200 after the 413", status)


def worker_pids():
    with open(os.path.join(VAR, "run", "portal.pid")) as f:
        parent = f.read().strip()
    out = subprocess.run(["pgrep", "-P", parent], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def test_worker_dies():
    """A worker killed in the middle of the night is replaced; the site keeps answering."""
    before = worker_pids()
    check(len(before) >= 2, "the portal runs several workers", before)
    if not before:
        return
    os.kill(before[0], 9)
    after = []
    for _ in range(50):
        after = worker_pids()
        if len(after) == len(before) and before[0] not in after:
            break
        time.sleep(0.1)
    check(len(after) == len(before) and before[0] not in after,
          "a worker that dies is replaced by a new one", (before, after))
    statuses = [Client().get("/")[0] for _ in range(20)]
    check(all(s == 200 for s in statuses), "the site keeps answering after a worker died", statuses)


def test_database_restarts():
    """PostgreSQL restarts: pages answer 503 while it is away, then work again by themselves."""
    pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    ctl = "/usr/lib/postgresql/15/bin/pg_ctl"
    data = os.path.join(VAR, "pg", "data")
    subprocess.run(pg + [ctl, "-D", data, "stop", "-m", "fast"], capture_output=True, cwd="/")
    status, _, body = Client().get("/verify/keys")
    check(status == 503 and "database" in body.lower(),
          "PostgreSQL down: a page that needs it answers 503 and says why", status)
    opts = f"-c listen_addresses='' -c unix_socket_directories={VAR}/pg/socket -c port=5432"
    subprocess.run(pg + [ctl, "-D", data, "-w", "-o", opts, "-l", os.path.join(VAR, "log", "postgresql.log"),
                        "start"], capture_output=True, cwd="/")
    statuses = [Client().get("/verify/keys")[0] for _ in range(12)]
    check(statuses[-8:] == [200] * 8, "PostgreSQL back: every worker serves again without a restart",
          statuses)



def stack(*args):
    port = urllib.parse.urlsplit(URL).port
    env = dict(os.environ, PORT=str(port), VAR=VAR, ESONR_DEMO="0")
    return subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_portal_down():
    """(Last: it stops and restarts the portal.) The portal of this test stack stopped: nginx answers 503 with the static page."""
    with open(os.path.join(VAR, "run", "portal.pid")) as f:
        pid = int(f.read().strip())
    os.kill(pid, 15)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    status, headers, body = Client().get("/")
    check(status == 503, "portal down: GET / answers 503", status)
    check("temporarily unavailable" in body.lower(), "portal down: the static unavailable page")
    security_headers(headers, "portal down")
    status, _, _ = Client().post_raw("/login", b"email=a", "application/x-www-form-urlencoded")
    check(status == 503, "portal down: a POST answers 503 too", status)
    p = stack("start")
    check(p.returncode == 0, "stack.sh start restarts the missing portal", p.stdout + p.stderr)
    status, _, _ = Client().get("/")
    check(status == 200, "portal back: GET / answers 200", status)

if __name__ == "__main__":
    run()
