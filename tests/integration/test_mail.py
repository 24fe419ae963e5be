"""E-mail (issue: e-mail): what a person finds in their mailbox after each change, read
from the real SMTP listener of the stack (the local sink, python3-aiosmtpd, writing the
Maildir $ESONR_VAR/mail); password reset and address confirmation end to end; the mail
server down while candidates book; the office's outbox page and `esonrctl mail status`."""
import email
import email.policy
import mailbox
import os
import re
import socket
import subprocess
import time

from harness import (ROOT, VAR, Client, add_session, add_user, book, check, ctl, login, register,
                     require, run, sql_rows, sql_value, text_of, unique_email)

PASSWORD = "mail-test-pass-2027"
MAILDIR = os.path.join(VAR, "mail")
WAIT = 30  # seconds a mail may take to show up (it normally takes well under one)


# ---------------------------------------------------------------- reading the mailbox

def all_mails():
    """Every message in the sink's Maildir, parsed (email.message.EmailMessage)."""
    box = mailbox.Maildir(MAILDIR, factory=None, create=False)
    out = []
    for key in box.keys():
        try:
            raw = box.get_bytes(key)
        except (KeyError, FileNotFoundError):
            continue
        m = email.message_from_bytes(raw, policy=email.policy.default)
        m.raw = raw
        out.append(m)
    return out


def mails_to(addr):
    return [m for m in all_mails() if addr in (m["To"].addresses[0].addr_spec if m["To"] else "")]


def wait_mail(addr, subject_part, count=1, timeout=WAIT):
    """The mails to ADDR whose subject holds SUBJECT_PART, once there are COUNT of them (or
    what there is after TIMEOUT seconds)."""
    deadline = time.time() + timeout
    while True:
        found = [m for m in mails_to(addr) if subject_part in str(m["Subject"])]
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.2)


def text_part(m):
    return m.get_body(preferencelist=("plain",)).get_content()


def html_part(m):
    return m.get_body(preferencelist=("html",)).get_content()


def calendar_part(m):
    """(METHOD parameter of the part, unfolded text of the .ics) or (None, None)."""
    for part in m.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), part.get_content().replace("\r\n ", "")
    return None, None


def ics_props(text):
    props = {}
    for line in text.split("\r\n"):
        name, _, value = line.partition(":")
        props.setdefault(name, value)
    return props


def link_in(m, path):
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[0-9a-f]+)", text_part(m))
    return match.group(1) if match else None


# ---------------------------------------------------------------- set-up helpers

def candidate(name, prefix, courses=("GALEN",)):
    c = register(name, prefix, PASSWORD, courses, date="2026-03-02")
    return c, c.email


def booking_id(client, session):
    return book(client, session)


def examiner():
    mail = add_user("examiner", "Erika Examiner", "mail-examiner", PASSWORD)
    return mail, login(mail, PASSWORD)


def office():
    return login(add_user("admin", "Otto Office", "mail-office", PASSWORD), PASSWORD)


def outbox_state(addr, kind):
    rows = sql_rows("SELECT state FROM outbox WHERE to_addr = :'p1' AND kind = :'p2' ORDER BY id",
                    addr, kind)
    return [r[0] for r in rows]


def wait_state(addr, kind, state, timeout=WAIT):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if state in outbox_state(addr, kind):
            return True
        time.sleep(0.2)
    return False


# ---------------------------------------------------------------- tests

def test_registration_asks_to_confirm_the_address():
    name = "Zoë Ångström-Łukasiewicz"
    c, addr = candidate(name, "mail-confirm", courses=())
    status, _, body = c.get("/dashboard")
    check(status == 200 and "not confirmed yet" in text_of(body) and "send the link again" in text_of(body),
          "the new candidate's dashboard says the address is not confirmed yet, with a way to send the link again")
    rc, out, _ = ctl("mail", "status")
    check(rc == 0 and addr in out.split("unconfirmed addresses:")[-1],
          "esonrctl mail status lists the address as unconfirmed", out[-400:])

    mails = wait_mail(addr, "Confirm your e-mail address")
    require(len(mails) == 1, "one confirmation mail arrives", [str(m["Subject"]) for m in mails_to(addr)])
    m = mails[0]
    check(m["To"].addresses[0].display_name == name, "the mail is addressed to the registered name",
          m["To"])
    check(re.search(rb"^To: =\?UTF-8\?B\?", m.raw, re.M), "the name is RFC 2047 encoded in the header",
          m.raw[:300])
    check(m["Auto-Submitted"] == "auto-generated", "it says it was sent automatically (Auto-Submitted)")
    check(re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(m["Message-ID"]) or ""), "it has a Message-ID",
          m["Message-ID"])
    text = text_part(m)
    check(f"Dear {name}," in text, "the text greets the candidate by name", text[:200])
    check(name in html_part(m) or name.replace("Ł", "&#321;") in html_part(m),
          "the HTML part says the same", html_part(m)[:300])
    link = link_in(m, "/confirm/")
    require(link is not None, "the mail holds a /confirm/ link", text)
    check(link in html_part(m), "the HTML part holds the same link")

    status, headers, _ = c.get(link)
    check(status == 303 and headers["Location"] in ("/dashboard", "/login"),
          "opening the link confirms the address (303 to the dashboard)", (status, headers["Location"]))
    status, _, body = c.get("/dashboard")
    check("not confirmed yet" not in text_of(body), "the dashboard no longer asks to confirm")
    check(sql_value("SELECT email_confirmed_at IS NOT NULL FROM users WHERE email = :'p1'", addr) == "t",
          "the account is marked confirmed")
    status, _, body = Client().get(link)
    check(status == 410 and "/password/forgot" in body, "the used link answers 410, with a way on", status)


def test_the_confirmation_link_can_be_sent_again():
    c, addr = candidate("Anna Resend", "mail-resend", courses=())
    require(len(wait_mail(addr, "Confirm")) == 1, "the first confirmation mail arrives")
    status, headers, _ = c.post("/confirm/resend")
    check(status == 303 and headers["Location"] == "/dashboard", "asking again answers 303 to the dashboard",
          status)
    mails = wait_mail(addr, "Confirm", count=2)
    require(len(mails) == 2, "a second confirmation mail arrives", len(mails))
    links = [link_in(m, "/confirm/") for m in mails]
    check(len(set(links)) == 2, "each mail has its own link")
    first = [c.get(link)[0] for link in links]
    again = [c.get(link)[0] for link in links]
    check(first == [303, 303] and again == [410, 410], "either link works, once", (first, again))


def test_booking_mails_carry_the_calendar_event():
    s = add_session("L1", "2027-06-14", "Boston, Hynes Convention Center", 1, "--tz", "America/New_York")
    first, first_addr = candidate("Maëlle Premier", "mail-book1")
    second, second_addr = candidate("Νίκος Δεύτερος", "mail-book2")
    b1 = booking_id(first, s)
    b2 = booking_id(second, s)  # the only seat is taken: waiting list

    booked = wait_mail(first_addr, "Booking confirmed")
    require(len(booked) == 1, "the booked candidate gets one confirmation", [str(m["Subject"]) for m in mails_to(first_addr)])
    m = booked[0]
    when = "Monday 14 June 2027, 09:00 (America/New_York)"
    check(str(m["Subject"]) == f"Booking confirmed: L1 examination on {when}",
          "the subject names the exam and its date in the session's time zone", m["Subject"])
    text = text_part(m)
    check("Dear Maëlle Premier," in text and "Boston, Hynes Convention Center" in text and when in text,
          "the text names the candidate, the place and the local time", text[:400])
    method, cal = calendar_part(m)
    require(cal is not None, "the mail carries the session's .ics")
    props = ics_props(cal)
    check(method == "REQUEST" and props.get("METHOD") == "REQUEST", "the invitation is METHOD:REQUEST", method)
    check(props.get("DTSTART;TZID=America/New_York") == "20270614T090000",
          "the event starts at 09:00 New York time", props)
    check(f"mailto:{first_addr}" in cal and "ATTENDEE" in cal and "ORGANIZER" in cal,
          "the invitation names the candidate as attendee and an organizer")
    _, _, download = first.get(f"/bookings/{b1}/calendar.ics")
    dl = ics_props(download.replace("\r\n ", ""))
    check(props.get("UID") == dl.get("UID") and props.get("SEQUENCE") == dl.get("SEQUENCE") == "0",
          "the mail's event has the UID and SEQUENCE of the .ics download", (props.get("UID"), dl.get("UID")))

    waiting = wait_mail(second_addr, "Waiting list")
    require(len(waiting) == 1, "the second candidate is told about the waiting list")
    check("number 1 on its waiting list" in text_part(waiting[0]), "with the place on the list",
          text_part(waiting[0])[:300])
    _, wcal = calendar_part(waiting[0])
    check(wcal is not None and "STATUS:TENTATIVE" in wcal, "the waiting list's event is tentative")

    status, _, _ = first.post(f"/bookings/{b1}/cancel")
    require(status == 303, "the first candidate cancels", status)
    cancelled = wait_mail(first_addr, "Booking cancelled")
    require(len(cancelled) == 1, "the cancellation is confirmed by mail")
    method, ccal = calendar_part(cancelled[0])
    cprops = ics_props(ccal or "")
    check(method == "CANCEL" and cprops.get("METHOD") == "CANCEL" and cprops.get("STATUS") == "CANCELLED",
          "the cancellation carries METHOD:CANCEL", (method, cprops.get("STATUS")))
    check(cprops.get("UID") == props.get("UID") and int(cprops.get("SEQUENCE", "0")) > int(props["SEQUENCE"]),
          "with the same UID and a higher SEQUENCE", (cprops.get("UID"), cprops.get("SEQUENCE")))

    promoted = wait_mail(second_addr, "A seat is yours")
    require(len(promoted) == 1, "the waiting candidate is told of the free seat")
    check("moved up from the waiting list" in text_part(promoted[0]) and when in text_part(promoted[0]),
          "the mail says so, with the local time", text_part(promoted[0])[:300])
    method, pcal = calendar_part(promoted[0])
    pprops = ics_props(pcal or "")
    check(method == "REQUEST" and pprops.get("STATUS") == "CONFIRMED" and pprops.get("UID") != props.get("UID")
          and int(pprops.get("SEQUENCE", "0")) >= 1,
          "the promotion updates the waiting list's event: confirmed, higher SEQUENCE", pprops)


def test_results_and_certificate_mails():
    exam_addr, examiner_c = examiner()
    passer, passer_addr = candidate("Ilse Bestanden", "mail-pass")
    failer, failer_addr = candidate("Olaf Durchgefallen", "mail-fail")
    s = add_session("L1", "2027-04-12", "Vienna, AKH", 5, "--tz", "Europe/Vienna")
    ctl("session", "examiner", s, exam_addr)
    bp, bf = booking_id(passer, s), booking_id(failer, s)
    ctl("session", "close", s)
    status, _, body = examiner_c.post(f"/examiner/sessions/{s}/results",
                                      [(f"written_{bp}", "80"), (f"oral_{bp}", "75"),
                                       (f"written_{bf}", "40"), (f"oral_{bf}", "30")])
    require(status == 303, "set-up: the examiner enters the results", (status, text_of(body)[:200]))
    require(wait_mail(passer_addr, "Booking confirmed"), "set-up: the booking mail came first")
    before = len(mails_to(passer_addr))
    check(before == 2, "no results mail before publication (confirm + booked only)", before)
    rc, out, err = ctl("session", "publish", s)
    require(rc == 0, "set-up: the office publishes", (rc, out, err))

    results = wait_mail(passer_addr, "results are published")
    require(len(results) == 1, "the passing candidate is told the results are out")
    check("You passed" in text_part(results[0]) and "12 April 2027" in text_part(results[0]),
          "the mail says they passed, with the session's date", text_part(results[0])[:300])
    fail = wait_mail(failer_addr, "results are published")
    check(len(fail) == 1 and "did not pass" in text_part(fail[0]), "the failing candidate is told too")
    check(not wait_mail(failer_addr, "certificate", timeout=1), "no certificate mail for a fail")

    issued = wait_mail(passer_addr, "certificate")
    require(len(issued) == 1, "the certificate's issue is told by mail")
    number = re.search(r"ESNR-L1-2027-\d+", str(issued[0]["Subject"]))
    require(number is not None, "its subject holds the number", issued[0]["Subject"])
    number = number.group(0)
    check(f"/verify/{number}" in text_part(issued[0]), "with the link to verify it")

    rc, out, err = ctl("cert", "reissue", number, "--reason", "name corrected")
    require(rc == 0, "set-up: the office reissues the certificate", (rc, out, err))
    fresh = out.strip()
    reissued = wait_mail(passer_addr, "reissued")
    require(len(reissued) == 1, "the holder is told of the reissue")
    check(fresh in str(reissued[0]["Subject"]) and number in text_part(reissued[0])
          and "name corrected" in text_part(reissued[0]),
          "the mail names the new and the old number and the reason", text_part(reissued[0])[:400])

    rc, out, err = ctl("cert", "revoke", fresh, "--reason", "obtained by fraud")
    require(rc == 0, "set-up: the office revokes it", (rc, out, err))
    revoked = wait_mail(passer_addr, "revoked")
    require(len(revoked) == 1, "the holder is told of the revocation")
    check(fresh in str(revoked[0]["Subject"]) and "Reason: obtained by fraud" in text_part(revoked[0]),
          "with the number and the reason", text_part(revoked[0])[:300])


def test_password_reset_end_to_end():
    c, addr = candidate("Pia Vergesslich", "mail-reset", courses=())
    other = login(addr, PASSWORD)  # another browser, signed in
    nobody = unique_email("mail-nobody")

    answers = []
    for who in (addr, nobody):
        v = Client()
        v.get("/password/forgot")
        status, headers, _ = v.post("/password/forgot", {"email": who})
        _, _, page = v.get(headers["Location"] or "/")
        answers.append((status, headers["Location"], text_of(page)))
    check(answers[0][0] == answers[1][0] == 303 and answers[0][1] == answers[1][1],
          "the answer is the same whether or not the address has an account", answers)
    check(answers[0][2] == answers[1][2] and "If an account exists" in answers[0][2],
          "and so is the page it leads to", answers[0][2][:200])

    mails = wait_mail(addr, "Reset your ESoNR portal password")
    require(len(mails) == 1, "the reset mail arrives")
    check(not mails_to(nobody), "nothing is sent to an address without an account")
    check("Dear Pia Vergesslich," in text_part(mails[0]), "it greets the holder by name")
    link = link_in(mails[0], "/password/reset/")
    require(link is not None, "it holds the link", text_part(mails[0]))
    token = link.rsplit("/", 1)[1]
    check(sql_value("SELECT count(*) FROM mail_tokens WHERE token_hash::text LIKE '%' || :'p1' || '%'", token) == "0",
          "the token is not stored as such (only its hash)")

    v = Client()
    status, _, body = v.get(link)
    check(status == 200 and 'name="password"' in body, "the link shows the new-password form", status)
    status, _, body = v.post(link, {"password": "short"})
    check(status == 400, "a password that registration would refuse answers 400", status)
    status, _, body = v.post(link, {"password": "x", "role": "admin"})
    check(status == 400, "an unknown field answers 400", status)
    new_password = "a brand new secret 77"
    status, headers, _ = v.post(link, {"password": new_password})
    check(status == 303 and headers["Location"] == "/login", "the new password is saved: 303 to /login",
          (status, headers["Location"]))

    status, headers, _ = other.get("/dashboard")
    check(status == 303 and headers["Location"] == "/login", "the other browser's session has ended", status)
    status, _, _ = Client().post("/login", {"email": addr, "password": PASSWORD})
    check(status == 401, "the old password no longer works", status)
    login(addr, new_password)
    check(True, "the new password logs in")

    status, _, body = Client().get(link)
    check(status == 410 and 'href="/password/forgot"' in body, "the used link answers 410 with a way to ask again",
          status)
    status, _, body = v.post(link, {"password": "another new secret 88"})
    check(status == 410, "posting a used link answers 410 and changes nothing", status)
    login(addr, new_password)

    changed = wait_mail(addr, "password was changed")
    check(len(changed) == 1, "the holder is told the password changed")
    actions = [r[0] for r in sql_rows(
        "SELECT action FROM audit_log WHERE entity = 'user' AND entity_id = "
        "(SELECT id::text FROM users WHERE email = :'p1') ORDER BY id", addr)]
    check("password.reset_requested" in actions and "password.reset" in actions,
          "the request and the reset are in the audit log", actions)


def test_reset_from_the_signed_in_browser():
    # The link opened in the browser that is still signed in to the same account.
    c, addr = candidate("Sina Angemeldet", "mail-signedin", courses=())
    c.post("/password/forgot", {"email": addr})
    mails = wait_mail(addr, "Reset your")
    require(len(mails) == 1, "the reset mail arrives")
    link = link_in(mails[0], "/password/reset/")
    c.get(link)
    status, headers, body = c.post(link, {"password": "signed in and reset 99"})
    check(status == 303 and headers["Location"] == "/login", "the reset works from a signed-in browser",
          (status, text_of(body)[:200]))
    status, headers, _ = c.get("/dashboard")
    check(status == 303 and headers["Location"] == "/login", "and that browser's session has ended too", status)
    actor = sql_value("SELECT coalesce(actor_id::text, '-') FROM audit_log WHERE action = 'password.reset'"
                      " AND entity_id = (SELECT id::text FROM users WHERE email = :'p1')", addr)
    check(actor == sql_value("SELECT id FROM users WHERE email = :'p1'", addr),
          "the audit log names the signed-in holder as the one who reset", actor)


def test_an_expired_reset_link_answers_410():
    _, addr = candidate("Egon Spät", "mail-expired", courses=())
    v = Client()
    v.get("/password/forgot")
    v.post("/password/forgot", {"email": addr})
    mails = wait_mail(addr, "Reset your")
    require(len(mails) == 1, "the reset mail arrives")
    link = link_in(mails[0], "/password/reset/")
    # An hour and a minute later, as far as the link is concerned.
    sql_value("UPDATE mail_tokens SET created_at = created_at - interval '61 minutes',"
              " expires_at = expires_at - interval '61 minutes'"
              " WHERE user_id = (SELECT id FROM users WHERE email = :'p1')", addr)
    status, _, body = Client().get(link)
    check(status == 410 and "/password/forgot" in body, "the expired link answers 410 with a way to ask again",
          status)
    status, _, _ = v.post(link, {"password": "too late for this one"})
    check(status == 410, "posting it answers 410", status)
    status, _, _ = Client().post("/login", {"email": addr, "password": PASSWORD})
    check(status == 303, "the password is unchanged", status)


def test_reset_requests_are_throttled_per_address():
    _, addr = candidate("Theo Drängler", "mail-throttle", courses=())
    statuses = []
    for _ in range(5):
        v = Client()
        v.get("/password/forgot")
        statuses.append(v.post("/password/forgot", {"email": addr})[0])
    check(statuses == [303] * 5, "every request gets the same answer", statuses)
    time.sleep(2)
    mails = wait_mail(addr, "Reset your", count=3)
    time.sleep(1)
    check(len(wait_mail(addr, "Reset your", count=99, timeout=0)) == 3,
          "only three links are sent in an hour for one address", len(mails))


def test_bookings_go_on_while_the_mail_server_is_down():
    pidfile = os.path.join(VAR, "run", "mail-sink.pid")
    require(os.path.exists(pidfile), "set-up: the stack runs a mail sink", pidfile)
    sink = int(open(pidfile).read().strip())
    s = add_session("L1", "2027-09-06", "Lisbon, Centro de Congressos", 20)
    clients = [candidate(f"Down Candidate {i}", f"mail-down{i}") for i in range(3)]
    for _, addr in clients:
        wait_mail(addr, "Confirm")
    os.kill(sink, 15)
    for _ in range(50):
        try:
            os.kill(sink, 0)
            time.sleep(0.1)
        except ProcessLookupError:
            break

    bookings = [book(c, s) for c, _ in clients]  # raises unless each answers 303
    check(len(bookings) == 3, "three candidates book while the mail server is down")
    addrs = [a for _, a in clients]
    deadline = time.time() + WAIT
    while time.time() < deadline:
        rows = sql_rows("SELECT state, attempts, coalesce(last_error, '') FROM outbox WHERE kind = 'booked'"
                        " AND to_addr IN (:'p1', :'p2', :'p3')", *addrs)
        if len(rows) == 3 and all(r[0] == "queued" and int(r[1]) >= 1 for r in rows):
            break
        time.sleep(0.3)
    check(len(rows) == 3 and all(r[0] == "queued" and int(r[1]) >= 1 and r[2] for r in rows),
          "their mails wait in the outbox, tried and rescheduled, with the failure noted", rows)
    rc, out, _ = ctl("mail", "status")
    check(rc == 0 and re.search(r"^queued [1-9]", out, re.M), "esonrctl mail status shows them queued", out[:200])
    check(all(not wait_mail(a, "Booking confirmed", timeout=0) for a in addrs), "nothing was delivered meanwhile")

    env = dict(os.environ, PORT=os.environ["ESONR_URL"].rsplit(":", 1)[1], VAR=VAR, ESONR_DEMO="0")
    p = subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), "start"], env=env, capture_output=True,
                       text=True, timeout=120)
    require(p.returncode == 0, "the mail server comes back (scripts/stack.sh start restarts the sink)",
            p.stdout[-300:] + p.stderr[-300:])
    for a in addrs:
        got = wait_mail(a, "Booking confirmed", timeout=90)  # back-off: at most a minute between tries
        check(len(got) == 1, f"the waiting booking mail arrives once it is back ({a.split('@')[0]})", len(got))
    time.sleep(3)
    for a in addrs:
        got = wait_mail(a, "Booking confirmed", count=99, timeout=0)
        ids = [str(m["Message-ID"]) for m in got]
        check(len(got) == 1 and len(set(ids)) == 1, "and only once", ids)


def test_office_sees_failures_and_sends_again():
    admin = office()
    _, addr = candidate("Fritz Fehlschlag", "mail-office", courses=())
    require(wait_mail(addr, "Confirm"), "set-up: the confirmation came")
    # The sink answers 500 when it cannot write its Maildir: a real permanent failure.
    tmp, hidden = os.path.join(MAILDIR, "tmp"), os.path.join(MAILDIR, "tmp.off")
    os.rename(tmp, hidden)
    try:
        v = Client()
        v.get("/password/forgot")
        v.post("/password/forgot", {"email": addr})
        failed = wait_state(addr, "reset", "failed")
    finally:
        os.rename(hidden, tmp)
    require(failed, "a message the server refuses (5xx) is marked failed", outbox_state(addr, "reset"))
    status, _, body = admin.get("/admin/mail")
    page = text_of(body)
    check(status == 200 and addr in page and "failed" in page and "500" in page,
          "the office's outbox page shows it failed, with the server's answer", page[:500])
    rc, out, _ = ctl("mail", "status")
    line = [l for l in out.splitlines() if addr in l and "\treset\t" in l]
    check(rc == 0 and line and "\tfailed\t" in line[0] and "500" in line[0],
          "esonrctl mail status prints the same", line)
    mid = sql_value("SELECT id FROM outbox WHERE to_addr = :'p1' AND kind = 'reset'", addr)
    check(f'action="/admin/mail/{mid}/retry"' in body, "the page offers to send it again")
    check(not wait_mail(addr, "Reset your", timeout=1), "nothing reached the mailbox")
    status, headers, _ = admin.post(f"/admin/mail/{mid}/retry")
    check(status == 303 and headers["Location"] == "/admin/mail", "sending again answers 303", status)
    got = wait_mail(addr, "Reset your")
    check(len(got) == 1, "the message arrives after the retry", len(got))
    status, _, _ = admin.post(f"/admin/mail/{mid}/retry")
    check(status == 409, "a message that is not failed cannot be sent again (409)", status)
    status, _, _ = Client().get("/admin/mail")
    check(status in (303, 403, 404), "the outbox page is the office's only", status)


def test_a_sender_crash_never_sends_twice():
    # Two messages as a sender leaves them when it dies: one still "sending" (the data was
    # never completed at the server), one "handed_over" (it may have been accepted). The
    # sending child that holds them is killed for real; its parent starts another, which
    # takes them back at once (the dead one's leases have not ended).
    _, addr = candidate("Clara Absturz", "mail-crash", courses=())
    require(wait_mail(addr, "Confirm"), "set-up: the confirmation came")
    uid = sql_value("SELECT id FROM users WHERE email = :'p1'", addr)
    parent = int(open(os.path.join(VAR, "run", "mailer.pid")).read().strip())
    children = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
    require(children, "set-up: the mailer has a sending child", parent)
    claimer = f"{socket.gethostname()}:{children[0]}"
    # Held by that child, with leases that still run for a minute and a half.
    rows = sql_rows(
        "INSERT INTO outbox (kind, user_id, to_addr, to_name, payload, state, attempts, lease_until, claimed_by)"
        " VALUES ('password_changed', :'p1', :'p2', 'Clara Absturz', '{\"name\": \"Clara Absturz\"}',"
        "   'sending', 1, now() + interval '90 seconds', :'p3'),"
        "  ('cert_revoked', :'p1', :'p2', 'Clara Absturz', '{\"name\": \"Clara Absturz\", \"number\": \"ESNR-L1-2027-9999\"}',"
        "   'handed_over', 1, now() + interval '90 seconds', :'p3') RETURNING id", uid, addr, claimer)
    sending, handed = rows[0][0], rows[1][0]
    os.kill(int(children[0]), 9)

    got = wait_mail(addr, "password was changed")
    check(len(got) == 1, "the message whose data never reached the end is sent after the crash", len(got))
    deadline = time.time() + WAIT
    while time.time() < deadline and sql_value("SELECT state FROM outbox WHERE id = :'p1'", handed) != "failed":
        time.sleep(0.2)
    state, error = sql_rows("SELECT state, last_error FROM outbox WHERE id = :'p1'", handed)[0]
    check(state == "failed" and "may have been delivered" in error,
          "the one that may have been delivered is not resent but shown failed, saying why", (state, error))
    time.sleep(2)
    check(not wait_mail(addr, "revoked", timeout=0), "it was not sent again")
    check(len(wait_mail(addr, "password was changed", count=9, timeout=0)) == 1, "and the other went once")
    check(sql_value("SELECT state FROM outbox WHERE id = :'p1'", sending) == "sent", "it is marked sent")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_an_idle_sender_waits_for_news():
    # Its own claims (an UPDATE of no row) used to notify it: it asked the database
    # hundreds of times a second on an idle stack. Nothing queued: it sleeps until a
    # notification or its periodic look.
    deadline = time.time() + WAIT
    while time.time() < deadline and sql_value("SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')") != "0":
        time.sleep(0.2)
    parent = int(open(os.path.join(VAR, "run", "mailer.pid")).read().strip())
    children = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
    require(children, "set-up: the mailer has a sending child", parent)
    before = cpu_ticks(children[0])
    time.sleep(3)
    used = cpu_ticks(children[0]) - before
    check(used <= 5, "an idle sender uses (almost) no CPU: it waits for a notification", f"{used} ticks in 3 s")
    _, addr = candidate("Ida Wartend", "mail-idle", courses=())
    check(wait_mail(addr, "Confirm"), "and a new message still wakes it at once")


if __name__ == "__main__":
    run()
