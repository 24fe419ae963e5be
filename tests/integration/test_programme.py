"""The office changes an exam's prerequisites and pass marks; earlier bookings stay explainable."""
import re

from harness import add_session, add_user, check, ctl, finish, login

PASSWORD = "programme-pw-1"


def user(role, name):
    """A new account of ROLE, signed in: (e-mail, Client)."""
    email = add_user(role, name, role, PASSWORD)
    return email, login(email, PASSWORD)


admin_email, admin = user("admin", "Programme Office")
cand_email, cand = user("candidate", "Ilse Programme")
ctl("completion", "add", cand_email, "GALEN", "--date", "2026-01-15")
sid = add_session("L1", "2033-05-03", "Graz", 10)

status, _, body = admin.get("/admin/exams")
check(status == 200 and "L1" in body and "GALEN" in body,
      "the office sees each exam with its prerequisites in force")

cand.get("/exams")
status, hdrs, _ = cand.post(f"/exams/{sid}/book")
booking = hdrs["Location"].rsplit("/", 1)[-1] if status == 303 else None
check(status == 303, "a candidate with the Galen course books L1 under the default rules")

admin.get("/admin/exams")
status, _, _ = admin.post("/admin/exams/L1/rules", {"requirement": "attestation:ESNR-MEMBER"})
check(status == 303, "the office adds 'ESNR full member' to L1's prerequisites")

status, _, body = cand.get("/dashboard")
l1 = body[body.find("L1: Level 1"):]
check("ESNR full member is missing" in l1[:2000],
      "the candidate's dashboard now names the new requirement for L1")

other_email, other = user("candidate", "Otto Later")
ctl("completion", "add", other_email, "GALEN", "--date", "2026-02-01")
status, _, body = other.post(f"/exams/{sid}/book")
check(status == 409 and "ESNR full member" in body,
      "a later candidate without the attestation is refused with 409 naming it")

status, _, body = cand.get(f"/bookings/{booking}")
then = re.search(r"Prerequisites then</dt><dd>(.*?)</dd>", body)
check(then is not None and "GALEN" in then.group(1) and "ESNR-MEMBER" not in then.group(1),
      "the earlier booking still shows the rules in force when it was made")

status, _, body = admin.get("/admin/exams")
rule = re.search(r'action="/admin/rules/(\d+)/retire"[^<]*<input type="hidden" name="csrf" value="[^"]*">\s*'
                 r'<button type="submit">End this rule now</button>', body)
ids = re.findall(r"<strong>ESNR-MEMBER</strong>.*?/admin/rules/(\d+)/retire", body, re.S)
check(bool(ids), "the new rule is listed with a way to end it")
if ids:
    status, _, _ = admin.post(f"/admin/rules/{ids[0]}/retire", {})
    check(status == 303, "the office ends the rule")
    status, _, _ = other.post(f"/exams/{sid}/book")
    check(status == 303, "with the rule ended the later candidate may book again")
    status, _, body = admin.get("/admin/exams")
    check("Earlier rules" in body and re.search(r"ESNR-MEMBER</strong>[^<]*<span class=\"meta\">\(\d{4}-\d\d-\d\d \d\d:\d\d to \d{4}", body),
          "the ended rule stays on record with its dates")

status, _, body = admin.post("/admin/exams/L1/marks", {"pass_written": "101", "pass_oral": "60", "tolerance": "15"})
check(status == 400, "a pass mark above 100 is refused with 400")
status, _, body = admin.post("/admin/exams/L1/rules", {"requirement": "course:NOPE"})
check(status == 409, "a requirement naming an unknown course is refused")
status, _, _ = cand.get("/admin/exams")
check(status == 403, "a candidate cannot open the office's programme page")

# A change of name: the office renames, then reissues; the old certificate is superseded.
cid = None
status, _, body = admin.get("/admin/candidates?q=" + cand_email.split("@")[0])
m = re.search(r'href="/admin/candidates/(\d+)"', body)
check(m is not None, "the office finds the candidate by e-mail")
if m:
    cid = m.group(1)
    admin.get(f"/admin/candidates/{cid}")
    status, _, _ = admin.post(f"/admin/candidates/{cid}/name", {"full_name": "Ilse Programme-Neumann"})
    check(status == 303, "the office changes the candidate's registered name")
    status, _, body = cand.get("/dashboard")
    check("Ilse Programme-Neumann" in body, "the candidate's pages show the new name")
    status, _, _ = admin.post(f"/admin/candidates/{cid}/name", {"full_name": "   "})
    check(status == 400, "an empty name is refused with 400")
rc, out, err = ctl("user", "rename", other_email, "--name", "Otto Later-Huber")
check(rc == 0, "esonrctl user rename changes a registered name", err)
rc, out, err = ctl("user", "rename", "nobody@example.test", "--name", "X")
check(rc == 1, "renaming an unknown e-mail fails with exit 1")

# A session recorded after the fact: booking is already over.
rc, past, err = ctl("session", "add", "L1", "--date", "2020-05-05", "--location", "Vienna", "--capacity", "3")
check(rc == 0 and past.strip().isdigit(), "a session dated in the past can be recorded", err)
if rc == 0:
    cand.get("/exams")
    status, _, body = cand.post(f"/exams/{past.strip()}/book")
    check(status == 409 and "closed" in body, "a past session cannot be booked (409, booking closed)")

rc, out, err = ctl("attestation", "add", cand_email, "ESNR-MEMBER", "--evidence-date", "2025-01-01")
check(rc == 2, "attestation add without --checked-by is refused: who checked is part of the record", err)
rc, out, err = ctl("attestation", "add", cand_email, "ESNR-MEMBER", "--evidence-date", "2025-01-01",
                   "--checked-by", cand_email)
check(rc == 1, "only an office account can be named as the checker", err)
rc, out, err = ctl("attestation", "add", cand_email, "ESNR-MEMBER", "--evidence-date", "2025-01-01",
                   "--checked-by", admin_email)
check(rc == 0, "the office records an attestation with its evidence date and checker", err)
status, _, body = admin.get(f"/admin/candidates/{cid}") if cid else (0, None, "")
check("Programme Office" in body and "2025-01-01" in body,
      "the candidate's page shows the attestation, its evidence date and who checked it")

rc, out, _ = ctl("audit", "verify")
check(rc == 0, "the rule changes are in an intact audit log")
finish()
