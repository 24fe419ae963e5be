"""What each portal worker keeps between pages (issue 11): the open sessions' seat counts
(sql/062_seat_versions.sql), each candidate's records and bookings (sql/063_records_version.sql),
and the lists of sessions on the examiners' and the office's dashboards (sql/065).
Whatever changes them (a booking, a cancellation, a waiting list, a capacity or closing
changed, a course completed, an MCQ recorded) shows on the very next page at every worker,
and no candidate ever sees another's records. Each change is checked over many requests sent
side by side, so that every worker, each of which has the page's data kept by then, answers
some of them.
"""
import re

from harness import (add_session, add_user, side_by_side, check, ctl, login, register, require, run, sql_rows,
                     sql_value, text_of)

PASSWORD = "kept-views-pass-2027"
LOCATION = "Graz, Kept Hall"
ROUNDS = 40


def many(client, path):
    """ROUNDS GETs of PATH with CLIENT's cookies, side by side: [(status, body)]."""
    return [(status, body) for status, _, body in side_by_side(client, path, ROUNDS)]


def article(body, session):
    m = re.search(rf'<article[^>]*aria-labelledby="session-{session}".*?</article>', body, re.S)
    return text_of(m.group(0)) if m else ""


def seats_everywhere(client, session, expected, what):
    answers = many(client, "/exams")
    shown = [article(b, session) for _, b in answers]
    check(all(s == 200 for s, _ in answers) and all(expected in a for a in shown),
          f"{what}: all {ROUNDS} views of /exams say '{expected}'",
          sorted({re.sub(r"Booking closes.*", "", a)[-60:] for a in shown if expected not in a})[:3])


def candidate(prefix, courses=("GALEN",)):
    return register(f"{prefix.title()} Candidate", prefix, PASSWORD, courses, date="2026-03-02")


def book(c, session):
    status, headers, body = c.post(f"/exams/{session}/book", {})
    m = re.fullmatch(r"/bookings/([0-9]+)", headers.get("Location") or "")
    require(status == 303 and m is not None, f"set-up: {c.email} books session {session}", f"{status} {text_of(body)[:200]}")
    return m.group(1)


def test_seat_counts_move_at_every_worker():
    s = add_session("L1", "2032-02-02", LOCATION, "3")
    watcher, other, third = candidate("kv-watch"), candidate("kv-other"), candidate("kv-third")
    seats_everywhere(watcher, s, "3 of 3 seats left", "before any booking")
    bid = book(other, s)
    seats_everywhere(watcher, s, "2 of 3 seats left", "after another candidate's booking")
    status, _, _ = other.post(f"/bookings/{bid}/cancel", {})
    require(status == 303, "set-up: the booking is cancelled", status)
    seats_everywhere(watcher, s, "3 of 3 seats left", "after its cancellation")
    sql_value(f"UPDATE exam_sessions SET capacity = 1 WHERE id = {s}")
    seats_everywhere(watcher, s, "1 of 1 seats left", "after the capacity went down to 1")
    book(other, s)
    seats_everywhere(watcher, s, "Full : 0 on the waiting list", "after the last seat went")
    book(third, s)
    seats_everywhere(watcher, s, "Full : 1 on the waiting list", "after a booking onto the waiting list")
    rc, _, err = ctl("session", "close", s)
    require(rc == 0, "set-up: esonrctl session close", err)
    answers = many(watcher, "/exams")
    check(all(st == 200 and f'id="session-{s}"' not in b for st, b in answers),
          f"after the session closed, none of {ROUNDS} views of /exams lists it")


def test_records_move_at_every_worker():
    s = add_session("L1", "2032-03-03", LOCATION, "5")
    c = candidate("kv-records", courses=())
    answers = many(c, "/exams")
    check(all(f'action="/exams/{s}/book"' not in b for _, b in answers),
          "without GALEN, no view of /exams offers to book L1")
    many(c, "/dashboard")
    rc, _, err = ctl("completion", "add", c.email, "GALEN", "--date", "2026-03-02")
    require(rc == 0, "set-up: esonrctl completion add GALEN", err)
    answers = many(c, "/exams")
    check(all(f'action="/exams/{s}/book"' in b for _, b in answers),
          f"after GALEN was recorded, all {ROUNDS} views of /exams offer to book L1")
    answers = many(c, "/dashboard")
    check(all("GALEN (ESOR Galen Foundation Course in Neuroradiology) completed on 2026-03-02" in b
              for _, b in answers), f"and all {ROUNDS} dashboards say GALEN is completed")
    bid = book(c, s)
    answers = many(c, "/dashboard")
    check(all(f'href="/bookings/{bid}"' in b for _, b in answers), f"the booking is on all {ROUNDS} dashboards")
    answers = many(c, "/exams")
    check(all(f'href="/bookings/{bid}"' in article(b, s) or f'href="/bookings/{bid}"' in b for _, b in answers),
          f"and all {ROUNDS} views of /exams link it")
    status, _, _ = c.post(f"/bookings/{bid}/cancel", {})
    require(status == 303, "set-up: the booking is cancelled", status)
    answers = many(c, "/dashboard")
    check(all(f'href="/bookings/{bid}"' not in b for _, b in answers),
          f"after its cancellation, none of {ROUNDS} dashboards shows it")


def test_mcq_recorded_outside_the_portal_shows():
    # An MCQ result changed straight in the database (as an import or a correction would)
    # moves the account's records too, through the attendance it belongs to.
    c = candidate("kv-mcq", courses=())
    rc, _, err = ctl("completion", "add", c.email, "ECNR-1", "--date", "2026-03-02")
    require(rc == 0, "set-up: esonrctl completion add ECNR-1", err)
    before = many(c, "/dashboard")
    require(all("ECNR-1" in b for _, b in before), "set-up: the dashboard lists ECNR-1")
    sql_rows("UPDATE mcq_attempts SET passed = NOT passed WHERE attendance_id ="
             " (SELECT a.id FROM attendances a JOIN users u ON u.id = a.user_id"
             "  WHERE u.email = :'p1' AND a.course_code = 'ECNR-1')", c.email)
    after = many(c, "/dashboard")
    changed = [text_of(b) != text_of(before[0][1]) for _, b in after]
    check(all(changed), f"all {ROUNDS} dashboards after the MCQ was recorded differ from the one before",
          changed.count(False))


def test_kept_records_never_cross_accounts():
    # Workers keep records in slots by account id: two accounts whose ids share a slot take
    # turns in it, and each still sees only its own.
    a = candidate("kv-first")
    a_id = int(sql_value(f"SELECT id FROM users WHERE email = '{a.email}'"))
    top = int(sql_value("SELECT max(id) FROM users"))
    target = a_id + 64 * ((top - a_id) // 64 + 1)  # the next id that shares a's slot
    sql_value(f"SELECT setval(pg_get_serial_sequence('users', 'id'), {target - 1})")
    b = candidate("kv-second", courses=())
    b_id = int(sql_value(f"SELECT id FROM users WHERE email = '{b.email}'"))
    require((b_id - a_id) % 64 == 0, "set-up: the two accounts' ids share a slot", f"{a_id} {b_id}")
    s = add_session("L1", "2032-04-04", LOCATION, "5")
    bid = book(a, s)
    for _ in range(3):
        for who, mine in ((a, True), (b, False)):
            answers = many(who, "/dashboard")
            check(all((f'href="/bookings/{bid}"' in body) == mine for _, body in answers),
                  f"{'the first' if mine else 'the second'} account's dashboards "
                  f"{'show' if mine else 'never show'} the first one's booking")
            check(all(("GALEN (ESOR Galen Foundation Course in Neuroradiology) completed" in body) == mine
                      for _, body in answers),
                  f"and {'show' if mine else 'never show'} its GALEN completion")


def examiner_card(body, session):
    m = re.search(rf'<p class="card"><a href="/examiner/sessions/{session}">.*?</p>', body, re.S)
    return text_of(m.group(0)) if m else None


def office_row(body, session):
    m = re.search(rf'<tr><td><a href="/admin/sessions/{session}">.*?</tr>', body, re.S)
    return [text_of(td) for td in re.findall(r"<td>(.*?)</td>", m.group(0), re.S)] if m else None


def user_id(email):
    return int(sql_value(f"SELECT id FROM users WHERE email = '{email}'"))


def test_dashboards_of_examiners_and_office_move_at_every_worker():
    pw = "kept-dash-pass-2027"
    first = add_user("examiner", "Dr Kept First", "kv-exam-a", pw)
    # Workers keep examiners' lists in 16 slots by account id: a second examiner whose id
    # shares the first one's slot takes turns in it with the first.
    top = user_id(first)
    sql_value(f"SELECT setval(pg_get_serial_sequence('users', 'id'), {top + 15})")
    second = add_user("examiner", "Dr Kept Second", "kv-exam-b", pw)
    require((user_id(second) - top) % 16 == 0, "set-up: the two examiners' ids share a slot")
    examiner, other = login(first, pw), login(second, pw)
    office = login(add_user("admin", "Kept Office", "kv-office", pw), pw)
    s = add_session("L1", "2032-05-05", "Graz, Kept Dashboard Hall", "1")

    def both(expect_examiner, expect_office, what):
        cards = [examiner_card(b, s) for _, b in many(examiner, "/dashboard")]
        check(all(expect_examiner(c) for c in cards), f"{what}: all {ROUNDS} examiner's dashboards agree",
              sorted({str(c) for c in cards})[:3])
        rows = [office_row(b, s) for _, b in many(office, "/dashboard")]
        check(all(expect_office(r) for r in rows), f"{what}: all {ROUNDS} office's dashboards agree",
              sorted({str(r) for r in rows})[:3])

    both(lambda c: c is None, lambda r: r is not None and r[4:6] == ["0 / 1", "0"], "before any assignment")
    rc, _, err = ctl("session", "examiner", s, first)
    require(rc == 0, "set-up: esonrctl session examiner", err)
    both(lambda c: c is not None and "Graz, Kept Dashboard Hall" in c and "0 booked" in c,
         lambda r: r is not None, "after the examiner was assigned")
    answers = many(other, "/dashboard")
    check(all(examiner_card(b, s) is None and "No session is assigned to you yet" in b for _, b in answers),
          f"the other examiner, in the same slot, sees none of it on all {ROUNDS} dashboards")
    book(candidate("kv-dash-a"), s)
    both(lambda c: c is not None and "1 booked" in c, lambda r: r is not None and r[4:6] == ["1 / 1", "0"],
         "after a booking")
    book(candidate("kv-dash-b"), s)
    both(lambda c: c is not None and "1 booked" in c, lambda r: r is not None and r[4:6] == ["1 / 1", "1"],
         "after a booking onto the waiting list")
    counted = int(re.search(r"<strong>([0-9]+)</strong> candidates", office.get("/dashboard")[2]).group(1))
    candidate("kv-dash-c")
    answers = many(office, "/dashboard")
    check(all(f"<strong>{counted + 1}</strong> candidates" in b for _, b in answers),
          f"a candidate more is counted on all {ROUNDS} office's dashboards")
    rc, _, err = ctl("session", "close", s)
    require(rc == 0, "set-up: esonrctl session close", err)
    both(lambda c: c is not None and c.endswith("closed"), lambda r: r is not None and r[6] == "closed",
         "after the session was closed")
    sql_value(f"UPDATE exam_sessions SET published_at = now() WHERE id = {s}")
    both(lambda c: c is not None and c.endswith("published"), lambda r: r is None,
         "after its results were published")
    answers = many(other, "/dashboard")
    check(all(examiner_card(b, s) is None for _, b in answers),
          f"and the other examiner still sees none of it on all {ROUNDS} dashboards")


if __name__ == "__main__":
    run()
