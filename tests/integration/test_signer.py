"""The signer process (issue 9): the only process of the stack that can read the signing
key, started, stopped and supervised with the rest; the workers ask it over a local socket,
and it signs only certificates the database says are being issued."""
import glob
import hashlib
import os
import pwd
import re
import signal
import socket
import subprocess
import time

from harness import (ROOT, URL, VAR, Client, add_user, check, ctl, login, passed_session, psql, require, run,
                     sql_value, text_of)

PASSWORD = "signer-test-password"
SOCKET = os.path.join(VAR, "signer", "signer.sock")
_dates = iter(range(1, 28))


def pid_of(name):
    with open(os.path.join(VAR, "run", f"{name}.pid")) as f:
        return int(f.read().strip())


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["Uid"].split()[1]), int(fields["Gid"].split()[1])


def ask(line):
    """One request to the signer, as a worker sends it; the answer line."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(SOCKET)
    s.sendall(line.encode() + b"\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1024)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.decode().strip()


def session_of(*names):
    """An L1 session where NAMES passed, results entered, not yet published: (session, clients)."""
    return passed_session(f"2035-06-{next(_dates):02d}", list(names), "sign", PASSWORD, "Signer test hall, Vienna", 77)


def stored_pdf_sha(number):
    return sql_value("SELECT encode(sha256(pdf), 'hex') FROM certificates WHERE number = :'p1'", number)


def test_the_workers_cannot_read_the_signing_key():
    if os.geteuid() != 0:
        check(True, "the rest is skipped: a stack started by an ordinary user runs everything as that user")
        return
    workers = children(pid_of("portal"))
    require(workers, "the portal has workers")
    signer = pid_of("signer")
    keys = sorted(glob.glob(os.path.join(VAR, "keys", "*.key")))
    require(keys, "the stack has a secret key")
    signer_uid, _ = uid_of(signer)
    check(pwd.getpwuid(signer_uid).pw_name == "esonr-sign", "the signer runs as esonr-sign",
          pwd.getpwuid(signer_uid).pw_name)
    for key in keys:
        st = os.stat(key)
        check(st.st_uid == signer_uid and st.st_mode & 0o777 == 0o600,
              f"{os.path.basename(key)} is 0600 and belongs to the signer's user", (st.st_uid, oct(st.st_mode)))
    for w in workers[:2]:
        uid, gid = uid_of(w)
        check(uid != signer_uid and uid != 0, f"worker {w} runs as another user than the signer, not root", uid)
        p = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "cat", keys[0]],
                           capture_output=True, text=True, cwd="/")
        check(p.returncode != 0 and "Permission denied" in p.stderr and p.stdout == "",
              f"with worker {w}'s identity the secret key file cannot be read", (p.returncode, p.stderr))
        with open(f"/proc/{w}/maps") as f:
            maps = f.read()
        check(".key" not in maps, "and no key file is open or mapped in the worker")
    sid, _ = session_of("Wanda Worker")
    rc, out, err = ctl("session", "publish", sid)
    require(rc == 0, "set-up: a certificate of this test's own is issued", (rc, out, err))
    number = sql_value("SELECT number FROM certificates WHERE session_id = :'p1'", sid)
    rc, out, err = psql("UPDATE certificates SET pdf = 'forged'::bytea, key_id = NULL WHERE number = :'p1'",
                        number, user="esonr_app")
    check(rc != 0 and ("only the signer" in err or "not rewritten" in err or "permission denied" in err),
          "the workers' database role cannot write a signed PDF", (rc, err))
    # Nor the first PDF of a certificate being issued: that is the signer's alone.
    rc, out, err = psql("INSERT INTO certificates (number, user_id, exam_code, session_id, year, serial, holder_name)"
                        " SELECT 'ESNR-L1-1999-0001', user_id, exam_code, session_id, 1999, 1, holder_name"
                        " FROM certificates WHERE number = :'p1'; UPDATE certificates SET pdf = 'forged'::bytea"
                        " WHERE number = 'ESNR-L1-1999-0001'", number, user="esonr_app")
    check(rc != 0 and ("only the signer" in err or "permission denied" in err),
          "nor the first PDF of a certificate being issued", (rc, err))


def test_the_signer_signs_only_what_the_database_says_is_being_issued():
    sid, (cand,) = session_of("Sina Signed")
    rc, out, err = ctl("session", "publish", sid)
    require(rc == 0, "set-up: published", (rc, out, err))
    number = sql_value("SELECT number FROM certificates WHERE session_id = :'p1'", sid)
    before = stored_pdf_sha(number)
    check(before != "", "the certificate was signed at publication")
    check(ask(f"ISSUE {number}") == "DONE" and stored_pdf_sha(number) == before,
          "asked again, the signer signs nothing new: it is already signed")
    check(ask("ISSUE ESNR-L1-2035-9999").startswith("NO "), "a number the register does not have is refused")
    check(ask("ISSUE ../../etc/passwd").startswith("NO "), "a request that is no certificate number is refused")
    check(ask("SIGN whatever I send").startswith("NO "), "anything but ISSUE is refused")
    ctl("cert", "revoke", number, "--reason", "signer test")
    check(ask(f"ISSUE {number}") == "DONE" and stored_pdf_sha(number) == before, "a revoked one is not signed again")


def test_publication_waits_for_the_signer_and_a_dead_signing_child_is_replaced():
    signer = pid_of("signer")
    kids = children(signer)
    require(len(kids) == 1, "the signer runs one signing child", kids)
    os.kill(kids[0], signal.SIGKILL)
    deadline = time.time() + 10
    while time.time() < deadline and (not children(signer) or children(signer) == kids):
        time.sleep(0.2)
    check(children(signer) and children(signer) != kids, "a killed signing child is replaced by the signer",
          children(signer))
    sid, cands = session_of("Kai Killed", "Kim Killed")
    admin = login(add_user("admin", "Office Signer", "sign-admin", PASSWORD), PASSWORD)
    status, _, body = admin.post(f"/admin/sessions/{sid}/publish")
    check(status == 303, "publishing answers 303", (status, text_of(body)[:200]))
    check(sql_value("SELECT count(*) FILTER (WHERE pdf IS NOT NULL) || '/' || count(*) FROM certificates "
                    "WHERE session_id = :'p1'", sid) == "2/2",
          "both PDFs are signed by the time the office sees the page")


def test_certificates_recorded_while_the_signer_is_down_are_signed_when_it_is_back():
    sid, (cand,) = session_of("Dora Down")
    signer = pid_of("signer")
    os.kill(signer, signal.SIGTERM)
    deadline = time.time() + 15
    while time.time() < deadline and os.path.exists(f"/proc/{signer}"):
        time.sleep(0.2)
    require(not os.path.exists(SOCKET), "set-up: the signer is stopped")
    try:
        rc, out, err = ctl("session", "publish", sid)
        check(rc == 0 and "not signed yet" in err and "signer is not running" in err,
              "publication goes on, and says the certificate will be signed later", (rc, out, err))
        number = sql_value("SELECT number FROM certificates WHERE session_id = :'p1'", sid)
        check(number != "" and stored_pdf_sha(number) == "", "the certificate is recorded, unsigned", number)
        _, _, body = Client().get(f"/verify/{number}")
        check("Status: valid" not in text_of(body), "an unsigned certificate is not shown as valid")
        _, _, body = cand.get("/certificates")
        check("Being signed" in text_of(body) and f"/certificates/{number}.pdf" not in body,
              "the holder's list says it is being signed, with no download yet", text_of(body)[:300])
    finally:
        env = dict(os.environ, PORT=URL.rsplit(":", 1)[1], VAR=VAR)
        p = subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), "start"], env=env, capture_output=True,
                           text=True, timeout=120)
    require(p.returncode == 0, "scripts/stack.sh start brings the signer back", p.stdout + p.stderr)
    deadline = time.time() + 15
    while time.time() < deadline and stored_pdf_sha(number) == "":
        time.sleep(0.5)
    check(stored_pdf_sha(number) != "", "the signer signs what was left unsigned by itself, within seconds")
    _, _, body = cand.get("/certificates")
    check(f"/certificates/{number}.pdf" in body, "and the holder can download it")


if __name__ == "__main__":
    run()
