"""Results: examiners enter them, the office publishes, amends and decides; the audit log.

Every test makes its own session (year 2031), examiners and candidates (roster()); the
only shared state touched is put back: exams L3-DIAG's marker settings (two oral markers
for one test) and one audit_log entry (changed behind the portal's back to prove that
`esonrctl audit verify` notices, then restored).
"""
import html
import re

from harness import (add_session, add_user, book, check, ctl, login, psql, register, require, roster, run,
                     sql_value, text_of)

PASSWORD = "results-test-password"
YEAR = "2031"
DECISION_REASON = "Oral examiners' report: exam conditions disturbed"
AMEND_REASON = "Written paper re-marked after appeal"


# ---------------------------------------------------------------- helpers

def outcomes(session):
    """`esonrctl session roster` as {booking_id: outcome}."""
    return {row[0]: row[3] for row in roster(session) if len(row) == 4}


def input_tag(body, name):
    for tag in re.findall(r"<input\b[^>]*>", body or "", re.I):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            return tag
    return None


def input_value(body, name):
    tag = input_tag(body, name)
    m = re.search(r'\bvalue="([^"]*)"', tag or "")
    return html.unescape(m.group(1)) if m else None


def cell_after(body, name):
    """The table cell holding the input NAME, from the input to the cell's end."""
    i = (body or "").find(f'name="{name}"')
    if i < 0:
        return ""
    j = body.find("</td>", i)
    return text_of(body[i:j] if j > 0 else body[i:])


def results_of(client):
    """The candidate's /results page as [(exam, written, pass_w, oral, pass_o, outcome, text)]."""
    status, _, body = client.get("/results")
    out = []
    for art in re.findall(r"<article\b.*?</article>", body, re.S):
        exam = re.search(r"<h2[^>]*>\s*([A-Z0-9-]+):", art)
        w = re.search(r"Written</th>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", art)
        o = re.search(r"Oral</th>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", art)
        oc = re.search(r"Outcome:\s*(?:<span[^>]*>)?\s*([a-z]+)", art)
        out.append((exam.group(1) if exam else None, w.group(1) if w else None, w.group(2) if w else None,
                    o.group(1) if o else None, o.group(2) if o else None, oc.group(1) if oc else None,
                    text_of(art)))
    return status, out, body


def result_count(bookings):
    return int(sql_value("SELECT count(*) FROM results WHERE booking_id IN (%s)" % ",".join(bookings)))


def scores(*rows):
    """rows: (booking, written, oral) or (booking, 'absent')."""
    fields = []
    for row in rows:
        b = row[0]
        if row[1] == "absent":
            fields += [(f"written_{b}", ""), (f"oral_{b}", ""), (f"absent_{b}", "1")]
        else:
            fields += [(f"written_{b}", str(row[1])), (f"oral_{b}", str(row[2]))]
    return fields


# ---------------------------------------------------------------- the fixture

class Exam:
    """An L1 session of its own with an assigned examiner, an examiner of another session,
    the office and four booked candidates; taken as far as STAGE:
    "open" (booking still open), "closed", "saved" (the examiner saved valid results),
    "decided" (the committee's decision on the fourth), "published", "amended" (the
    second's written paper re-marked after publication)."""

    STAGES = ("open", "closed", "saved", "decided", "published", "amended")

    def __init__(self, stage="closed", date=f"{YEAR}-03-10"):
        self.admin_email = add_user("admin", "Office Results Tester", "res-admin", PASSWORD)
        self.examiner_email = add_user("examiner", "Dr Ana Marker", "res-exam", PASSWORD)
        self.other_examiner_email = add_user("examiner", "Dr Otto Elsewhere", "res-other", PASSWORD)
        self.admin = login(self.admin_email, PASSWORD)
        self.examiner = login(self.examiner_email, PASSWORD)
        self.other_examiner = login(self.other_examiner_email, PASSWORD)
        self.s1 = add_session("L1", date, "Results test hall, Vienna")
        s_other = add_session("L1", date, "Another hall, Vienna")
        ctl("session", "examiner", self.s1, self.examiner_email)
        ctl("session", "examiner", s_other, self.other_examiner_email)
        self.c1 = register("Alba Pass", "res-c1", PASSWORD, ["GALEN"])
        self.c2 = register("Bruno Borderline", "res-c2", PASSWORD, ["GALEN"])
        self.c3 = register("Carla Absent", "res-c3", PASSWORD, ["GALEN"])
        self.c4 = register("Dario Committee", "res-c4", PASSWORD, ["GALEN"])
        self.b1, self.b2, self.b3, self.b4 = (book(c, self.s1) for c in (self.c1, self.c2, self.c3, self.c4))
        self.everyone = [self.b1, self.b2, self.b3, self.b4]
        self.valid = scores((self.b1, 60, 60), (self.b2, 59, 80), (self.b3, "absent"), (self.b4, 40, 40))
        self.url = f"/examiner/sessions/{self.s1}/results"
        upto = self.STAGES.index(stage)
        steps = [self._close, self._save, self._decide, self._publish, self._amend]
        for step in steps[:upto]:
            step()

    def _close(self):
        rc, _, err = ctl("session", "close", self.s1)
        require(rc == 0, "set-up: esonrctl session close ends booking", err)

    def _save(self):
        status, _, body = self.examiner.post(self.url, self.valid)
        require(status == 303, "set-up: the assigned examiner saves the whole roster", f"{status} {text_of(body)[:200]}")

    def _decide(self):
        status, _, _ = self.admin.post(f"/admin/bookings/{self.b4}/decision",
                                       {"outcome": "pass", "reason": DECISION_REASON})
        require(status == 303, "set-up: the office records a committee decision", status)

    def _publish(self):
        status, _, body = self.admin.post(f"/admin/sessions/{self.s1}/publish")
        require(status == 303, "set-up: the office publishes the session", f"{status} {text_of(body)[:200]}")

    def _amend(self):
        status, _, _ = self.admin.post(f"/admin/bookings/{self.b2}/amend",
                                       {"written": "65", "oral": "80", "reason": AMEND_REASON})
        require(status == 303, "set-up: the office amends a published result", status)


def audit_head():
    return int(sql_value("SELECT coalesce(max(id), 0) FROM audit_log"))


# ---------------------------------------------------------------- before booking has closed

def test_results_before_booking_has_closed():
    e = Exam("open")
    status, _, body = e.examiner.get(f"/examiner/sessions/{e.s1}")
    check(status == 200, "the assigned examiner sees the roster while booking is still open", status)
    status, _, body = e.examiner.post(e.url, e.valid)
    check(status == 409, "results entered before booking has closed are refused with 409", status)
    check("not closed" in text_of(body) or "still open" in text_of(body),
          "the refusal says booking has not closed yet", text_of(body)[:300])
    check(result_count(e.everyone) == 0, "nothing is stored when results come before booking has closed")


# ---------------------------------------------------------------- who may enter results

def test_who_may_enter_results():
    e = Exam("closed")
    status, _, _ = e.other_examiner.get(f"/examiner/sessions/{e.s1}")
    check(status == 403, "an examiner of another session cannot see this roster (403)", status)
    status, _, _ = e.other_examiner.post(e.url, e.valid)
    check(status == 403, "an examiner of another session cannot post results here (403)", status)
    status, _, _ = e.c1.get(f"/examiner/sessions/{e.s1}")
    check(status == 403, "a candidate cannot see the roster (403)", status)
    status, _, _ = e.c1.post(e.url, e.valid)
    check(status == 403, "a candidate cannot post results (403)", status)
    status, _, body = e.admin.get(f"/examiner/sessions/{e.s1}")
    check(status == 200 and all(f"booking {b}" in text_of(body) for b in e.everyone),
          "the office can view the roster page with every booked candidate", status)
    status, _, _ = e.admin.post(e.url, e.valid)
    check(status == 403, "the office cannot post results itself: only the assigned examiner does (403)", status)
    check(result_count(e.everyone) == 0, "no refused attempt stored a result")


# ---------------------------------------------------------------- publication needs every result

def test_publication_needs_every_result():
    e = Exam("closed")
    status, _, body = e.admin.post(f"/admin/sessions/{e.s1}/publish")
    check(status == 409, "publication is refused (409) while booked candidates have no result", status)
    check(f"booking {e.b1}" in text_of(body) and "no complete result" in text_of(body),
          "the refusal names the bookings without a result", text_of(body)[:300])
    check(sql_value(f"SELECT published_at IS NULL FROM exam_sessions WHERE id = {e.s1}") == "t",
          "the refused publication left the session unpublished")


# ---------------------------------------------------------------- invalid input

def test_invalid_scores_come_back_with_reasons():
    e = Exam("closed")
    b1, b2, b3, b4 = e.everyone
    typed = [(f"written_{b1}", "70"), (f"oral_{b1}", "101"),
             (f"written_{b2}", "sixty"), (f"oral_{b2}", "65"),
             (f"written_{b3}", ""), (f"oral_{b3}", ""), (f"absent_{b3}", "1"),
             (f"written_{b4}", "45"), (f"oral_{b4}", "50")]
    status, _, body = e.examiner.post(e.url, typed)
    check(status == 400, "an oral score of 101 or a written score in words answers 400", status)
    check(input_value(body, f"written_{b1}") == "70" and input_value(body, f"oral_{b1}") == "101"
          and input_value(body, f"written_{b2}") == "sixty" and input_value(body, f"oral_{b2}") == "65"
          and input_value(body, f"written_{b4}") == "45" and input_value(body, f"oral_{b4}") == "50"
          and "checked" in (input_tag(body, f"absent_{b3}") or ""),
          "the form comes back with every value the examiner typed",
          [input_value(body, f"{k}_{b}") for b in e.everyone for k in ("written", "oral")])
    check("whole number from 0 to 100" in cell_after(body, f"oral_{b1}"),
          "the reason stands beside the oral score of 101", cell_after(body, f"oral_{b1}"))
    check("whole number from 0 to 100" in cell_after(body, f"written_{b2}"),
          "the reason stands beside the written score typed in words", cell_after(body, f"written_{b2}"))
    check("whole number" not in cell_after(body, f"written_{b1}") and "whole number" not in cell_after(body, f"oral_{b4}"),
          "no reason is shown beside the valid fields")
    check(result_count(e.everyone) == 0 and set(outcomes(e.s1).values()) == {"-"},
          "nothing is stored from an invalid form: the roster outcome is still '-'", outcomes(e.s1))


# ---------------------------------------------------------------- all rows or none

def test_all_rows_or_none():
    e = Exam("closed")
    b1, b2, b3, _ = e.everyone
    status, _, _ = e.examiner.post(e.url, scores((b1, 60, 60), (b2, 59, 80), (b3, "absent")))
    check(status in (400, 409), "a form missing one booked candidate's row is refused (400/409)", status)
    check(result_count(e.everyone) == 0 and set(outcomes(e.s1).values()) == {"-"},
          "nothing is stored when one row is missing, not even the complete rows", outcomes(e.s1))
    status, _, _ = e.examiner.post(e.url, [])
    check(status in (400, 409), "a form with no rows at all is refused (400/409)", status)
    check(result_count(e.everyone) == 0, "nothing is stored from an empty form")


# ---------------------------------------------------------------- a valid save

def test_outcomes_and_corrections_before_publication():
    e = Exam("closed")
    b1, b2, b3, b4 = e.everyone
    status, _, _ = e.examiner.post(e.url, e.valid)
    require(status == 303, "the assigned examiner saves the whole roster (303)", status)
    r = outcomes(e.s1)
    check(r.get(b1) == "pass", "60 written and 60 oral is a pass (60 pass mark in each part)", r)
    check(r.get(b2) == "fail", "59 written and 80 oral is a fail", r)
    check(r.get(b3) == "absent", "an absent candidate's outcome is absent", r)
    check(r.get(b4) == "fail", "40 written and 40 oral is a fail", r)

    status, _, _ = e.examiner.post(e.url, scores((b1, 60, 59), (b2, 59, 80), (b3, "absent"), (b4, 40, 40)))
    r = outcomes(e.s1)
    check(status == 303 and r.get(b1) == "fail", "the examiner corrects a result before publication (60/59: fail)",
          (status, r))
    status, _, _ = e.examiner.post(e.url, e.valid)
    check(status == 303 and outcomes(e.s1).get(b1) == "pass", "and corrects it back (60/60: pass)", status)
    status, _, body = e.examiner.get(f"/examiner/sessions/{e.s1}")
    check(input_value(body, f"written_{b2}") == "59" and input_value(body, f"oral_{b2}") == "80",
          "the results form shows the saved scores")


# ---------------------------------------------------------------- committee decision

def test_committee_decision_needs_a_reason():
    e = Exam("saved")
    b4 = e.b4
    status, _, _ = e.admin.post(f"/admin/bookings/{b4}/decision", {"outcome": "pass"})
    check(status == 400, "a committee decision without a reason answers 400", status)
    status, _, _ = e.admin.post(f"/admin/bookings/{b4}/decision", {"outcome": "pass", "reason": "   "})
    check(status == 400, "a committee decision with a blank reason answers 400", status)
    check(outcomes(e.s1).get(b4) == "fail", "the refused decision changed nothing")
    status, _, _ = e.admin.post(f"/admin/bookings/{b4}/decision", {"outcome": "pass", "reason": DECISION_REASON})
    check(status == 303, "the office records a committee decision with a reason (303)", status)
    check(outcomes(e.s1).get(b4) == "pass", "the roster follows the committee's decision (pass)", outcomes(e.s1))
    _, _, body = e.admin.get(f"/examiner/sessions/{e.s1}")
    row = re.search(rf'booking {b4}</span>.*?</tr>', body, re.S)
    check(row is not None and "committee: pass" in text_of(row.group(0)) and "computed: fail" in text_of(row.group(0)),
          "the roster shows the committee's decision beside the computed outcome it overrides",
          text_of(row.group(0)) if row else None)
    status, _, _ = e.examiner.post(f"/admin/bookings/{b4}/decision", {"outcome": "fail", "reason": "x"})
    check(status == 403, "an examiner cannot record a committee decision (403)", status)
    check(outcomes(e.s1).get(b4) == "pass", "the examiner's refused decision changed nothing")


# ---------------------------------------------------------------- publication

def test_results_are_visible_only_after_publication():
    e = Exam("decided")
    status, rs, body = results_of(e.c1)
    check(status == 200 and not rs and "No published result yet" in text_of(body) and "Outcome" not in text_of(body),
          "before publication the candidate's results page shows no result", text_of(body)[:300])

    status, _, _ = e.admin.post(f"/admin/sessions/{e.s1}/publish")
    require(status == 303, "the office publishes the session (303)", status)
    status, rs, body = results_of(e.c1)
    check(len(rs) == 1 and rs[0][:6] == ("L1", "60", "60", "60", "60", "pass"),
          "after publication the candidate sees the part scores, pass marks and outcome (60/60, pass)", rs)
    status, rs, body = results_of(e.c2)
    check(len(rs) == 1 and rs[0][:6] == ("L1", "59", "60", "80", "60", "fail"),
          "a failed candidate sees 59 written against a pass mark of 60, and fail", rs)
    status, rs, body = results_of(e.c3)
    check(len(rs) == 1 and rs[0][5] == "absent", "an absent candidate sees outcome absent", rs)
    status, rs, body = results_of(e.c4)
    check(len(rs) == 1 and rs[0][5] == "pass" and "exam conditions disturbed" in rs[0][6],
          "the candidate sees the committee's decision and its reason", rs)


def test_published_results_change_only_by_amendment():
    e = Exam("published")
    b1, b2, b3, b4 = e.everyone
    status, _, body = e.examiner.post(e.url, scores((b1, 90, 90), (b2, 59, 80), (b3, "absent"), (b4, 40, 40)))
    check(status == 409, "after publication the examiner's results form is refused (409)", status)
    check("amendment" in text_of(body), "the refusal says a change now needs an amendment", text_of(body)[:200])
    rs = results_of(e.c1)[1]
    check(outcomes(e.s1).get(b1) == "pass" and rs and rs[0][1] == "60",
          "the refused change after publication stored nothing", rs)
    status, _, _ = e.admin.post(f"/admin/sessions/{e.s1}/publish")
    check(status == 409, "publishing a session twice is refused (409)", status)

    status, _, _ = e.admin.post(f"/admin/bookings/{b2}/amend", {"written": "65", "oral": "80"})
    check(status == 400, "an amendment without a reason answers 400", status)
    status, _, _ = e.admin.post(f"/admin/bookings/{b2}/amend", {"written": "165", "oral": "80", "reason": "typo"})
    check(status == 400, "an amendment with a score of 165 answers 400", status)
    check(outcomes(e.s1).get(b2) == "fail", "refused amendments changed nothing")
    status, _, _ = e.admin.post(f"/admin/bookings/{b2}/amend", {"written": "65", "oral": "80", "reason": AMEND_REASON})
    check(status == 303, "the office amends a published result with a reason (303)", status)
    check(outcomes(e.s1).get(b2) == "pass", "the amended result is recomputed (65/80: pass)", outcomes(e.s1))
    status, rs, _ = results_of(e.c2)
    check(len(rs) == 1 and rs[0][1] == "65" and rs[0][5] == "pass", "the candidate sees the amended scores and outcome", rs)
    check(len(rs) == 1 and "Amended" in rs[0][6] and "re-marked after appeal" in rs[0][6],
          "the candidate sees that the result was amended, and why", rs[0][6] if rs else "")


# ---------------------------------------------------------------- certificate numbers

def test_certificate_numbers_without_gaps():
    e = Exam("amended")
    numbers = {}
    for who, client in (("c1", e.c1), ("c2", e.c2), ("c4", e.c4)):
        _, rs, _ = results_of(client)
        m = re.search(r"Certificate (ESNR-\S+)", rs[0][6]) if rs else None
        numbers[who] = m.group(1) if m else None
    check(all(n and re.fullmatch(rf"ESNR-L1-{YEAR}-\d{{4}}", n) for n in numbers.values()),
          f"passed candidates get certificate numbers ESNR-L1-{YEAR}-NNNN", numbers)
    _, rs, _ = results_of(e.c3)
    check(rs and "Certificate" not in rs[0][6], "an absent candidate gets no certificate")
    serials = sql_value(f"SELECT string_agg(serial::text, ',' ORDER BY serial) FROM certificates "
                        f"WHERE exam_code = 'L1' AND year = {YEAR}")
    serials = [int(s) for s in serials.split(",")] if serials else []
    check(serials == list(range(1, len(serials) + 1)) and len(serials) >= 3,
          f"L1 certificate serials of {YEAR} run from 0001 without gaps", serials)
    mine = sorted(int(n[-4:]) for n in numbers.values() if n)
    check(len(mine) == 3 and mine == list(range(mine[0], mine[0] + 3)),
          "the certificates of one session and its amendment have consecutive serials", numbers)


# ---------------------------------------------------------------- publication with esonrctl

def test_publication_with_esonrctl():
    examiner_email = add_user("examiner", "Dr Ana Marker", "res-exam", PASSWORD)
    examiner = login(examiner_email, PASSWORD)
    s3 = add_session("L1", f"{YEAR}-04-14", "Results test hall 2, Vienna")
    ctl("session", "examiner", s3, examiner_email)
    c5 = register("Elena Commandline", "res-c5", PASSWORD, ["GALEN"])
    b5 = book(c5, s3)
    ctl("session", "close", s3)
    rc, out, err = ctl("session", "publish", s3)
    check(rc == 1, "esonrctl session publish exits 1 while a booked candidate has no result", (rc, out, err))
    check(f"booking {b5}" in err and "\n" not in err.strip(), "and says which booking lacks a result, on one line", err)
    status, _, _ = examiner.post(f"/examiner/sessions/{s3}/results", scores((b5, 88, 91)))
    require(status == 303, "set-up: the examiner saves the result", status)
    rc, out, err = ctl("session", "publish", s3)
    check(rc == 0 and "1 certificate" in out, "esonrctl session publish publishes and issues the certificate",
          (rc, out, err))
    status, rs, _ = results_of(c5)
    check(len(rs) == 1 and rs[0][:6] == ("L1", "88", "60", "91", "60", "pass"),
          "the candidate sees the result published with esonrctl", rs)
    rc, out, err = ctl("session", "publish", s3)
    check(rc == 1, "publishing again with esonrctl exits 1", (rc, out, err))


# ---------------------------------------------------------------- two oral markers (L3-DIAG)

def two_oral_markers():
    head = audit_head()
    examiner_email = add_user("examiner", "Dr Ana Marker", "res-exam", PASSWORD)
    examiner = login(examiner_email, PASSWORD)
    admin = login(add_user("admin", "Office Results Tester", "res-admin", PASSWORD), PASSWORD)
    # Prerequisites: an L2 diploma (a published L2 pass) and HQ-DIAG.
    s_l2 = add_session("L2", f"{YEAR}-05-12", "Results test L2 hall, Vienna")
    ctl("session", "examiner", s_l2, examiner_email)
    d1 = register("Fabio Gap", "res-d1", PASSWORD, ["ECNR-1", "ECNR-2", "ECNR-3", "ECNR-4"])
    d2 = register("Greta Close", "res-d2", PASSWORD, ["ECNR-1", "ECNR-2", "ECNR-3", "ECNR-4"])
    l2b = [book(d1, s_l2), book(d2, s_l2)]
    ctl("session", "close", s_l2)
    status, _, _ = examiner.post(f"/examiner/sessions/{s_l2}/results", scores((l2b[0], 75, 75), (l2b[1], 80, 70)))
    rc, out, err = ctl("session", "publish", s_l2)
    require(status == 303 and rc == 0 and "2 certificates" in out,
            "set-up: two candidates pass L2 and receive the diploma", (status, rc, out, err))
    for d in (d1, d2):
        ctl("completion", "add", d.email, "HQ-DIAG")

    second_email = add_user("examiner", "Dr Bea Secondmarker", "res-exam2", PASSWORD)
    second = login(second_email, PASSWORD)
    s4 = add_session("L3-DIAG", f"{YEAR}-06-16", "Results test L3 hall, Vienna")
    ctl("session", "examiner", s4, examiner_email)
    ctl("session", "examiner", s4, second_email)
    g1, g2 = book(d1, s4), book(d2, s4)
    ctl("session", "close", s4)
    url = f"/examiner/sessions/{s4}/results"

    status, _, body = examiner.get(f"/examiner/sessions/{s4}")
    check("two independent oral markers" in text_of(body) and "tolerance 10" in text_of(body),
          "the roster says the oral part has two markers with a tolerance of 10")
    status, _, _ = examiner.post(url, scores((g1, 70, 80), (g2, 70, 70)))
    check(status == 303, "the first examiner enters the oral marks", status)
    status, _, _ = second.post(url, scores((g1, 70, 65), (g2, 70, 64)))
    check(status == 303, "the second examiner enters their own oral marks", status)
    marks = sql_value(f"SELECT string_agg(oral_a || '/' || oral_b, ',' ORDER BY booking_id) FROM results "
                      f"WHERE booking_id IN ({g1}, {g2})")
    check(marks == "80/65,70/64", "each examiner's oral mark is kept apart", marks)
    status, _, body = examiner.get(f"/examiner/sessions/{s4}")
    check(input_value(body, f"oral_{g1}") == "80", "the first examiner sees their own oral mark", input_value(body, f"oral_{g1}"))
    status, _, body = second.get(f"/examiner/sessions/{s4}")
    check(input_value(body, f"oral_{g1}") == "65", "the second examiner sees their own oral mark", input_value(body, f"oral_{g1}"))
    third_email = add_user("examiner", "Dr Carl Thirdmarker", "res-exam3", PASSWORD)
    third = login(third_email, PASSWORD)
    ctl("session", "examiner", s4, third_email)
    status, _, _ = third.post(url, scores((g1, 10, 10), (g2, 10, 10)))
    check(status == 409, "a third examiner cannot add a third oral mark (409)", status)
    check(sql_value(f"SELECT string_agg(written || ':' || oral_a || '/' || oral_b, ',' ORDER BY booking_id) "
                    f"FROM results WHERE booking_id IN ({g1}, {g2})") == "70:80/65,70:70/64",
          "the third examiner's refused form stored nothing")

    status, _, body = admin.post(f"/admin/sessions/{s4}/publish")
    check(status == 409, "a gap of 15 points with a tolerance of 10 blocks publication (409)", status)
    check(f"booking {g1}" in text_of(body) and f"booking {g2}" not in text_of(body),
          "the refusal names the booking with the gap, not the one within tolerance", text_of(body)[:300])
    rc, out, err = ctl("session", "publish", s4)
    check(rc == 1 and f"booking {g1}" in err, "esonrctl session publish refuses it too, naming the booking", err)

    status, _, _ = admin.post(f"/admin/bookings/{g1}/resolve", {"oral": "72"})
    check(status == 400, "resolving a gap without a reason answers 400", status)
    status, _, _ = admin.post(f"/admin/bookings/{g1}/resolve",
                              {"oral": "72", "reason": "Third marker heard the recording"})
    check(status == 303, "the office resolves the gap with an oral score and a reason (303)", status)
    status, _, _ = admin.post(f"/admin/sessions/{s4}/publish")
    check(status == 303, "once resolved, the session publishes (303)", status)
    _, rs, _ = results_of(d1)
    l3 = [x for x in rs if x[0] == "L3-DIAG"]
    check(len(l3) == 1 and l3[0][3] == "72" and l3[0][5] == "pass",
          "the candidate sees the resolved oral score (72) and a pass", l3)
    _, rs, _ = results_of(d2)
    l3 = [x for x in rs if x[0] == "L3-DIAG"]
    check(len(l3) == 1 and l3[0][3] == "67" and l3[0][5] == "pass",
          "within tolerance the two oral marks are averaged (70 and 64: 67)", l3)
    actions = sql_value(f"SELECT string_agg(DISTINCT action, ',') FROM audit_log WHERE id > {head}")
    check("result.resolve_gap" in actions, "the resolution of the gap is in the audit log", actions)


def test_two_oral_markers():
    saved = sql_value("SELECT double_oral || ',' || oral_tolerance FROM exams WHERE code = 'L3-DIAG'")
    try:
        psql("UPDATE exams SET double_oral = true, oral_tolerance = 10 WHERE code = 'L3-DIAG'")
        two_oral_markers()
    finally:
        d, t = saved.split(",")
        psql(f"UPDATE exams SET double_oral = {'true' if d == 't' else 'false'}, oral_tolerance = {int(t)} "
             "WHERE code = 'L3-DIAG'")


# ---------------------------------------------------------------- the audit log

def test_audit_log_records_every_change_of_a_result():
    head = audit_head()
    e = Exam("saved")
    status, _, _ = e.examiner.post(e.url, scores((e.b1, 60, 59), (e.b2, 59, 80), (e.b3, "absent"), (e.b4, 40, 40)))
    require(status == 303, "set-up: the examiner corrects a result", status)
    e._decide()
    e._publish()
    e._amend()
    rc, out, err = ctl("audit", "verify")
    m = re.search(r"(\d+) entries", out)
    check(rc == 0 and m and int(m.group(1)) > head, "esonrctl audit verify exits 0 and reports the entries",
          (rc, out, err))
    actions = sql_value(f"SELECT string_agg(DISTINCT action, ',') FROM audit_log WHERE id > {head}")
    check(all(a in actions for a in ("result.enter", "result.correct", "result.decide", "result.amend",
                                     "session.publish", "certificate.issue")),
          "entries, corrections, decisions, amendments and publications are in the audit log", actions)


def test_audit_verify_finds_a_changed_entry():
    Exam("saved")  # entries of this test's own
    entry = audit_head()
    require(entry > 0, "set-up: the audit log has entries", entry)
    original = sql_value(f"SELECT action FROM audit_log WHERE id = {entry}")
    rc, _, err = psql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; "
                      f"UPDATE audit_log SET action = 'x' WHERE id = {entry}; "
                      "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;")
    try:
        require(rc == 0, f"set-up: the superuser changes audit entry {entry} behind the portal's back", err)
        rc, out, err = ctl("audit", "verify")
        check(rc == 1, "esonrctl audit verify exits 1 after an entry was changed", (rc, out, err))
        check(re.search(rf"\bentry {entry}\b", out + err) is not None, "and names the changed entry", out + err)
    finally:
        # Put the entry back: the other tests share this stack.
        psql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; "
             f"UPDATE audit_log SET action = $a${original}$a$ WHERE id = {entry}; "
             "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;")
    rc, out, err = ctl("audit", "verify")
    check(rc == 0, "with the entry restored, audit verify exits 0 again", (rc, out, err))


def test_nobody_rewrites_the_audit_log():
    Exam("saved")
    entry = audit_head()
    original = sql_value(f"SELECT action FROM audit_log WHERE id = {entry}")
    rc, _, err = psql(f"UPDATE audit_log SET action = 'x' WHERE id = {entry}", user="esonr_app")
    check(rc != 0 and "permission denied" in err, "the portal's role cannot UPDATE the audit log (permission denied)", err)
    rc, _, err = psql(f"DELETE FROM audit_log WHERE id = {entry}", user="esonr_app")
    check(rc != 0 and "permission denied" in err, "the portal's role cannot DELETE from the audit log (permission denied)", err)
    rc, _, err = psql(f"UPDATE audit_log SET action = 'x' WHERE id = {entry}")
    check(rc != 0 and "append-only" in err, "even the superuser's UPDATE is refused while the trigger is on", err)
    check(sql_value(f"SELECT action FROM audit_log WHERE id = {entry}") == original,
          "the audit entry is unchanged at the end")


if __name__ == "__main__":
    run()
