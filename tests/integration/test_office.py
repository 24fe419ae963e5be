"""The office's pages end to end: sessions, examiners, closing, candidates' records and
attestations, a change of name, course editions, the CSV import and the pass marks; each
bad value answers 400 beside its field, each refusal 404 or 409."""
import re

from harness import add_user, check, login, run, test, text_of

@test
def the_office_runs_sessions_candidates_and_editions():
    email = add_user("admin", "Office Smoke", "office", "office-pw-1")
    adm = login(email, "office-pw-1")
    cand_email = add_user("candidate", "Cand Smoke", "cand", "cand-pw-12")
    ex_email = add_user("examiner", "Exam Smoke", "exam", "exam-pw-12")
    for p in ["/admin", "/admin/sessions", "/admin/candidates", "/admin/candidates?q=smoke", "/admin/editions", "/admin/import", "/admin/exams"]:
        st, _, body = adm.get(p)
        check(st == 200, f"GET {p} 200", st)
    st, h, body = adm.post("/admin/sessions", {"exam": "L1", "date": "2031-05-03", "time_zone": "Europe/Vienna",
        "location": "Graz", "capacity": "5", "opens": "", "closes": "2031-05-01T12:00", "cancel_until": ""})
    check(st == 303, "new session 303", (st, text_of(body)[:300]))
    sid = h["Location"].rsplit("/", 1)[-1] if st == 303 else None
    st, _, body = adm.post("/admin/sessions", {"exam": "L9", "date": "2031-02-30", "time_zone": "Europe/Vienna",
        "location": "", "capacity": "0", "opens": "x", "closes": "", "cancel_until": ""})
    check(st == 400 and "date_error" not in body and "Enter the exam day" in body and "seats" in body and "Enter the place" in body, "bad session 400 with reasons", (st,))
    check('value="Europe/Vienna"' in body, "values kept")
    st, _, body = adm.post("/admin/sessions", {"exam": "L9", "date": "2031-02-03", "time_zone": "Mars/Base",
        "location": "x", "capacity": "3", "opens": "", "closes": "", "cancel_until": ""})
    check(st == 400 and "L9" in body, "unknown exam 400", (st, text_of(body)[:400]))
    st, _, body = adm.post("/admin/sessions", {"exam": "L1", "date": "2031-02-03", "time_zone": "Europe/Vienna",
        "location": "x", "capacity": "3", "opens": "2031-02-02T10:00", "closes": "2031-02-01T10:00", "cancel_until": ""})
    check(st == 400 and "Booking must open" in body, "window wrong 400", (st,))
    st, _, body = adm.get(f"/admin/sessions/{sid}")
    check(st == 200 and "Graz" in body and "2031-05-01 12:00" in body, "session page", (st, text_of(body)[:500]))
    st, _, body = adm.post(f"/admin/sessions/{sid}/examiners", {"email": ex_email})
    check(st == 303, "assign examiner", st)
    st, _, body = adm.post(f"/admin/sessions/{sid}/examiners", {"email": cand_email})
    check(st == 409 and "not an examiner" in body, "assign candidate refused 409", st)
    st, _, body = adm.post(f"/admin/sessions/999999/examiners", {"email": ex_email})
    check(st == 404, "assign to unknown session 404", st)
    st, _, body = adm.post(f"/admin/sessions/{sid}/close", {})
    check(st == 303, "close", st)
    st, _, body = adm.get(f"/admin/sessions/{sid}")
    check("closed" in body, "closed state shown")
    st, _, body = adm.post(f"/admin/sessions/999999/close", {})
    check(st == 404, "close unknown 404", st)
    st, _, body = adm.get("/admin/candidates?q=Cand+Smoke")
    m = re.search(r'/admin/candidates/(\d+)', body)
    check(m is not None, "search finds candidate")
    cid = m.group(1)
    st, _, body = adm.get(f"/admin/candidates/{cid}")
    check(st == 200 and "Cand Smoke" in body, "candidate page", st)
    st, _, body = adm.post(f"/admin/candidates/{cid}/records", {"kind": "completion", "course": "GALEN", "date": "2026-01-02", "result": "", "edition": ""})
    check(st == 303, "record completion", (st, text_of(body)[:300]))
    st, _, body = adm.post(f"/admin/candidates/{cid}/records", {"kind": "mcq", "course": "ECNR-1", "date": "2026-01-02", "result": "", "edition": ""})
    check(st == 400 and "passed or failed" in body, "mcq without result 400", st)
    st, _, body = adm.post(f"/admin/candidates/{cid}/records", {"kind": "attendance", "course": "NOPE", "date": "2026-01-02", "result": "", "edition": ""})
    check(st == 400 and "Choose one of the courses" in body, "unknown course 400", st)
    st, _, body = adm.post(f"/admin/candidates/{cid}/records", {"kind": "mcq", "course": "ECNR-1", "date": "2026-01-02", "result": "pass", "edition": ""})
    check(st == 409 and "Not recorded" in body, "mcq without attendance 409", (st, text_of(body)[:300]))
    st, _, body = adm.post(f"/admin/candidates/{cid}/attestations", {"kind": "ESNR-MEMBER", "evidence_date": "2025-01-01"})
    check(st == 303, "attestation", (st, text_of(body)[:300]))
    st, _, body = adm.post(f"/admin/candidates/{cid}/attestations", {"kind": "NOPE", "evidence_date": "2025-01-01"})
    check(st == 400, "unknown attestation 400", st)
    st, _, body = adm.post(f"/admin/candidates/{cid}/name", {"full_name": "Cand Renamed"})
    check(st == 303, "rename", st)
    st, _, body = adm.post(f"/admin/candidates/999999/name", {"full_name": "X Y"})
    check(st == 404, "rename unknown 404", st)
    st, _, body = adm.get(f"/admin/candidates/{cid}")
    check("Cand Renamed" in body and "ESNR full member" in body.replace("ESNR-MEMBER", "ESNR full member") and "GALEN" in body, "candidate file shows records")
    st, _, body = adm.post("/admin/editions", {"course": "ECNR-2", "cycle_label": "ECNR cycle 2031/1", "city": "Lyon", "starts_on": "2031-04-19", "ends_on": "2031-04-23"})
    check(st == 303, "edition", (st, text_of(body)[:300]))
    st, _, body = adm.post("/admin/editions", {"course": "ECNR-2", "cycle_label": "ECNR cycle 2031/1", "city": "Lyon", "starts_on": "2031-04-19", "ends_on": "2031-04-23"})
    check(st == 409, "duplicate edition 409", st)
    st, _, body = adm.post("/admin/editions", {"course": "ECNR-2", "cycle_label": "c", "city": "Lyon", "starts_on": "2031-04-19", "ends_on": "2031-04-13"})
    check(st == 400 and "cannot be before" in body, "edition ends before starts", st)
    st, _, body = adm.post("/admin/editions", {"course": "NOPE", "cycle_label": "c", "city": "Lyon", "starts_on": "2031-04-19", "ends_on": "2031-04-23"})
    check(st == 400 and "Choose one of the courses" in body, "edition unknown course", st)
    st, _, body = adm.get("/admin/editions")
    check("Lyon" in body, "edition listed")
    csv = f"email,course,kind,date\n{cand_email},HQ-DIAG,attendance,2026-03-01\n"
    st, _, body = adm.post_multipart("/admin/import", {"dry_run": "on"}, {"csv": ("c.csv", csv.encode(), "text/csv")})
    check(st == 200 and "would be recorded" in body, "import dry run", (st, text_of(body)[:400]))
    st, _, body = adm.post_multipart("/admin/import", {}, {"csv": ("c.csv", csv.encode(), "text/csv")})
    check(st == 200 and "recorded" in body, "import", st)
    st, _, body = adm.post_multipart("/admin/import", {}, {})
    check(st == 400 and "Choose the CSV" in body, "import without file", st)
    st, _, body = adm.post("/admin/exams/L1/marks", {"pass_written": "60", "pass_oral": "60", "tolerance": "15", "double_oral": "0"})
    check(st == 303, "marks with double_oral=0", st)
    st, _, body = adm.get("/admin/exams")
    check(st == 200, "exams page")

def test_every_dashboard_view_after_a_session_change_shows_it():
    # Every portal worker keeps its own copy of the sessions not published yet (src/db/
    # shared_view.h): enough views that each one has it before the change, and every view
    # after the change must show it.
    import datetime
    from harness import add_session, ctl
    views = 24
    adm = login(add_user("admin", "Office Cache", "office-cache", "office-pw-1"), "office-pw-1")
    for _ in range(views):
        adm.get("/dashboard")
    day = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    sid = add_session("L1", day, "Linz, Design Center", "9")
    row = re.compile(rf'<tr><td><a href="/admin/sessions/{sid}">.*?</tr>', re.S)
    rows = [row.search(adm.get("/dashboard")[2]) for _ in range(views)]
    check(all(r is not None and "Linz, Design Center" in r.group(0) and "0 / 9" in r.group(0) for r in rows),
          "a new session is on the office's dashboard at every view right after esonrctl session add",
          sum(r is None for r in rows))
    rc, _, err = ctl("session", "close", sid)
    check(rc == 0, "esonrctl session close", err)
    rows = [row.search(adm.get("/dashboard")[2]) for _ in range(views)]
    check(all(r is not None and "<td>closed</td>" in r.group(0) for r in rows),
          "and every view right after it is closed says closed", rows[0].group(0) if rows[0] else None)


if __name__ == "__main__":
    run()
