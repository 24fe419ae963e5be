"""Names that can be printed (issue 9): a name is checked when it is registered or changed
(every character drawable with the certificate font, no invisible or direction-changing
characters), every European script keeps working, and at publication one certificate that
still cannot be made does not stop the others."""
import re
import urllib.parse

from harness import (Client, add_session, add_user, book, check, ctl, login, register, require, run, sql_value,
                     text_of, unique_email)

PASSWORD = "names-test-password"

EUROPEAN = [
    "Zoë Łukasiewicz-Ørsted", "Ægir Þórsson", "Şükrü Çağlar", "Dragoș Țepeș", "Jürgen Groß", "Ľudovít Štúr",
    "Νίκος Παπαδόπουλος", "Анна Каренина", "Ђорђе Јовановић", "Ґалина Їжакевич", "Հայկ Մարտիրոսյան",
    "ნინო ბერიძე", "Seán Ó Ríordáin", "Ana María Nuñez", "Liisa Väänänen", "Jiří Dvořák",
]


def register_form(name):
    c = Client()
    c.get("/register")
    email = unique_email("names")
    status, _, body = c.post("/register", {"email": email, "full_name": name, "password": PASSWORD})
    return status, body, email


def name_error(body):
    m = re.search(r'<p class="error-text" id="name-error">(.*?)</p>', body, re.S)
    return text_of(m.group(1)) if m else None


def test_a_name_the_font_cannot_draw_is_refused_at_registration():
    for name, char in (("Li Wei 中", "U+4E2D"), ("Ann 😀 Smith", "U+1F600")):
        status, body, email = register_form(name)
        err = name_error(body)
        check(status == 400 and err is not None and char in err,
              f"registering {name!r} answers 400 with the character named beside the field", (status, err))
        check(sql_value("SELECT count(*) FROM users WHERE email = :'p1'", email) == "0", "nothing is stored")
        check(f'value="{name}"' in body, "the form shows the name typed, to correct it")


def test_invisible_and_direction_changing_characters_are_refused():
    for cp, label in ((0x202E, "RIGHT-TO-LEFT OVERRIDE"), (0x200B, "ZERO WIDTH SPACE"), (0x2066, "LEFT-TO-RIGHT ISOLATE"),
                      (0xFEFF, "BYTE ORDER MARK"), (0x200D, "ZERO WIDTH JOINER"), (0x00AD, "SOFT HYPHEN")):
        name = f"Eve{chr(cp)} Mallory"
        status, body, email = register_form(name)
        err = name_error(body) or ""
        check(status == 400 and f"U+{cp:04X}" in err and label in err,
              f"a name with U+{cp:04X} ({label}) answers 400, naming it beside the field", (status, err))
        check(sql_value("SELECT count(*) FROM users WHERE email = :'p1'", email) == "0", "nothing is stored")


def test_every_european_script_registers():
    for name in EUROPEAN:
        status, body, email = register_form(name)
        check(status == 303, f"{name} registers", (status, name_error(body)))


def test_a_name_change_is_checked_too():
    email = add_user("candidate", "Renata Rename", "names-rename", PASSWORD)
    rc, out, err = ctl("user", "rename", email, "--name", "Renata \u202eemaneR")
    check(rc == 2 and "U+202E" in err, "esonrctl user rename refuses a direction override (exit 2), naming it", (rc, err))
    rc, out, err = ctl("user", "rename", email, "--name", "Renata 中")
    check(rc == 2 and "U+4E2D" in err, "and a character the font cannot draw", (rc, err))
    check(sql_value("SELECT full_name FROM users WHERE email = :'p1'", email) == "Renata Rename", "the name is unchanged")
    rc, out, err = ctl("user", "add", unique_email("names-add"), "--name", "Zed\u200b", "--role", "candidate",
                       stdin=PASSWORD + "\n")
    check(rc == 2 and "U+200B" in err, "esonrctl user add refuses a zero-width space (exit 2)", (rc, err))
    admin = login(add_user("admin", "Office Names", "names-admin", PASSWORD), PASSWORD)
    uid = sql_value("SELECT id FROM users WHERE email = :'p1'", email)
    status, _, body = admin.post(f"/admin/candidates/{uid}/name", {"full_name": "Renata 😀"})
    check(status == 400 and "U+1F600" in text_of(body), "the office's rename form answers 400, naming the character",
          (status, text_of(body)[:300]))
    rc, out, err = ctl("user", "rename", email, "--name", "Рената Ренаме")
    check(rc == 0, "a Cyrillic new name is accepted", (rc, err))


def test_one_certificate_that_cannot_be_made_does_not_stop_the_others():
    examiner_email = add_user("examiner", "Dr Names Examiner", "names-exam", PASSWORD)
    examiner = login(examiner_email, PASSWORD)
    admin = login(add_user("admin", "Office Publisher", "names-pub", PASSWORD), PASSWORD)
    good = register("Grace Printable", "names-good", PASSWORD, ["GALEN"])
    bad = register("Li Wei", "names-bad", PASSWORD, ["GALEN"])
    # A name stored before names were checked (or behind the portal's back).
    sql_value("UPDATE users SET full_name = 'Li Wei 中' WHERE email = :'p1'", bad.email)
    sid = add_session("L1", "2034-03-14", "Names test hall, Vienna")
    ctl("session", "examiner", sid, examiner_email)
    bookings = [book(c, sid) for c in (good, bad)]
    ctl("session", "close", sid)
    fields = []
    for b in bookings:
        fields += [(f"written_{b}", "90"), (f"oral_{b}", "90")]
    status, _, body = examiner.post(f"/examiner/sessions/{sid}/results", fields)
    require(status == 303, "set-up: two passes entered", (status, text_of(body)[:200]))
    status, headers, body = admin.post(f"/admin/sessions/{sid}/publish")
    check(status == 303, "publishing the session succeeds (303)", (status, text_of(body)[:300]))
    check(sql_value("SELECT published_at IS NOT NULL FROM exam_sessions WHERE id = :'p1'", sid) == "t",
          "the session is published")
    _, _, body = good.get("/certificates")
    check(re.search(r'href="/certificates/ESNR-L1-2034-\d{4}\.pdf"', body) is not None,
          "the other candidate's certificate is issued")
    _, _, body = bad.get("/certificates")
    check("/certificates/ESNR-" not in body, "the unprintable name gets no certificate (yet)")
    _, _, page = admin.get(urllib.parse.urlsplit(headers.get("Location") or f"/examiner/sessions/{sid}").path)
    t = text_of(page)
    check("Certificates not issued" in t and bad.email in t and "U+4E2D" in t,
          "the office's session page reports it, with the character", t[-600:])
    check(sql_value("SELECT count(*) FROM audit_log WHERE action = 'certificate.not_issued'"
                    " AND entity_id = :'p1'", bookings[1]) != "0", "it is in the audit log")
    rc, out, err = ctl("session", "publish", sid)
    check(rc == 0 and "not issued" in out and bad.email in out,
          "esonrctl session publish again still reports it (exit 0)", (rc, out, err))
    rc, out, err = ctl("user", "rename", bad.email, "--name", "Li Wei")
    require(rc == 0, "set-up: the office corrects the name", (rc, out, err))
    status, _, body = admin.post(f"/admin/sessions/{sid}/publish")
    check(status == 303, "publishing again issues the missing certificate (303)", (status, text_of(body)[:300]))
    _, _, body = bad.get("/certificates")
    check(re.search(r'href="/certificates/ESNR-L1-2034-\d{4}\.pdf"', body) is not None, "now it is issued")
    rc, out, err = ctl("session", "publish", sid)
    check(rc == 1 and "already published" in err, "once nothing is missing, publishing again is refused", (rc, err))


if __name__ == "__main__":
    run()
