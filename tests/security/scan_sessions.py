"""Signs in as the demo's candidate, examiner and office for make security-scan, and lists
the id-bearing URLs each may open. Writes into DIR: cookie-ROLE.txt (a Cookie header value
for sqlmap), cookie-ROLE.json (wapiti's cookie file) and urls-ROLE.txt (one URL per line,
the id marked with * for sqlmap). Usage: scan_sessions.py URL VAR DIR"""
import json
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
os.environ["ESONR_URL"], os.environ["ESONR_VAR"] = sys.argv[1], sys.argv[2]
import harness  # noqa: E402  (reads ESONR_URL and ESONR_VAR when imported)

URL, VAR, DIR = sys.argv[1:4]
PASSWORD = "esonr-demo"
WHO = {"candidate": "zoe@esonr.example", "examiner": "examiner@esonr.example", "office": "office@esonr.example"}


def sql(q):
    return [r[0] for r in harness.sql_rows(q)]


def write_cookie(role, cookies):
    host = urllib.parse.urlsplit(URL).hostname
    with open(os.path.join(DIR, f"cookie-{role}.txt"), "w") as f:
        f.write("; ".join(f"{k}={v}" for k, v in cookies.items()))
    jar = {host: {"/": {k: {"value": v, "version": 0, "expires": None, "secure": False, "port": None}
                        for k, v in cookies.items()}}}
    with open(os.path.join(DIR, f"cookie-{role}.json"), "w") as f:
        json.dump(jar, f)


def main():
    os.makedirs(DIR, exist_ok=True)
    cert = sql("SELECT number FROM certificates ORDER BY number LIMIT 1")
    session = sql("SELECT id FROM exam_sessions ORDER BY id LIMIT 1")
    closed = sql("SELECT s.id FROM exam_sessions s JOIN session_examiners e ON e.session_id = s.id ORDER BY s.id LIMIT 1")
    booking = sql("SELECT b.id FROM bookings b JOIN users u ON u.id = b.user_id WHERE u.email = 'zoe@esonr.example' LIMIT 1")
    candidate = sql("SELECT id FROM users WHERE role = 'candidate' ORDER BY id LIMIT 1")
    urls = {
        "visitor": [f"/verify/{cert[0]}*" if cert else None, f"/verify?number={cert[0]}" if cert else None],
        "candidate": [f"/bookings/{booking[0]}*" if booking else None, f"/exams?x=1"],
        "examiner": [f"/examiner/sessions/{closed[0]}*" if closed else None],
        "office": [f"/admin/sessions/{session[0]}*" if session else None,
                   f"/admin/candidates/{candidate[0]}*" if candidate else None, "/admin/candidates?q=zoe"],
    }
    if cert:
        urls["office"].append(f"/certificates/{cert[0]}*.pdf")
    for role, paths in urls.items():
        with open(os.path.join(DIR, f"urls-{role}.txt"), "w") as f:
            f.write("".join(URL + p + "\n" for p in paths if p))
    for role, email in WHO.items():
        c = harness.login(email, PASSWORD)
        write_cookie(role, c.cookies)


main()
