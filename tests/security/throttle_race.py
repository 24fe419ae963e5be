"""Reproduces finding F1 (tests/security/README.md): the login throttle is check-then-act,
so N concurrent wrong passwords for one account are all tried although only 5 should be.

    ESONR_URL=http://127.0.0.1:18400 ESONR_VAR=/tmp/sec python3 tests/security/throttle_race.py [N]

Run it against a scratch stack only (scripts/stack.sh start with its own VAR): it makes N
failed logins from 127.0.0.1, which count towards the per-address limit (50 / 15 min); it
deletes its own login_failures rows at the end. Exit 1 when more than 5 guesses got through.
"""
import collections
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import VAR, Client, ctl, unique_email  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 30
LIMIT = 5


def psql(sql):
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", os.path.join(VAR, "pg", "socket"),
                        "-U", "postgres", "-d", "esonr", "-c", sql], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return p.stdout.strip()


email = unique_email("race")
rc, _, err = ctl("user", "add", email, "--name", "Race Victim", "--role", "candidate", stdin="race-password-1\n")
if rc != 0:
    sys.exit(f"user add: {err}")
clients = []
for _ in range(N):
    c = Client()
    c.get("/login")  # each attacker thread has its own pre-session and csrf token
    clients.append(c)
answers = [None] * N
barrier = threading.Barrier(N)


def attempt(i):
    barrier.wait()
    answers[i] = clients[i].post("/login", {"email": email, "password": f"guess-{i}"})[0]


threads = [threading.Thread(target=attempt, args=(i,)) for i in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join()
tried = int(psql(f"SELECT count(*) FROM login_failures WHERE email = '{email}'"))
psql(f"DELETE FROM login_failures WHERE email = '{email}'")
print(f"{N} concurrent wrong passwords: answers {dict(collections.Counter(answers))}; "
      f"{tried} guesses were checked against the hash (limit {LIMIT})")
sys.exit(1 if tried > LIMIT else 0)
