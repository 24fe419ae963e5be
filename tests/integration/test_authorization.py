"""Who may use which route (DESIGN §2, §3): every route of the portal's own table
(`esonr-portal --routes`) × every kind of visitor answers what its rule below says.

Actors: a visitor (not signed in), the candidate who owns the data, another candidate,
the examiner assigned to the session, an examiner who is not, and the office.
- A route the table has and RULES has not fails test_every_route_has_a_rule: add its rule
  (a path for the placeholders, and what each actor gets) when you add a route.
- Answers: an HTTP status, LOGIN (303 to /login: a visitor on a signed-in page), OK:
  let through to the handler (anything below 500 except 403, 404 and LOGIN; a POST with an
  empty form then usually answers 400 or 409, which is fine: the matrix is about who gets in),
  or ANSWERED (anything below 500: a public link with a token that does not exist).
- Another candidate's data answers 404 (as if it did not exist); an examiner not assigned
  to a session gets 403 on its pages; a role a route is not for gets 403.

Each test builds its own world (accounts, sessions, a booking, a certificate) with
esonrctl and HTTP. Owners and the office come last in each row, so that a POST that
succeeds (a cancellation, a publication) changes nothing another actor is asked about.
"""
import os
import re
import subprocess

from harness import (ROOT, Client, add_session, add_user, book, check, ctl, login, register, require, run,
                     sql_value, text_of)

PASSWORD = "authorization-matrix-pw"
YEAR = "2038"

V, O, U, E, C, A = "visitor", "another candidate", "unassigned examiner", "assigned examiner", "candidate", "office"
ACTORS = (V, O, U, E, C, A)   # the order of each row (owners and the office last)
LOGIN, OK, ANSWERED = "303 to /login", "let through", "an answer below 500"


def rule(default, **who):
    """Expected answers: DEFAULT for every actor, except those named (visitor=..., candidate=...,
    other=..., examiner=... (assigned), unassigned=..., office=...)."""
    names = {"visitor": V, "candidate": C, "other": O, "examiner": E, "unassigned": U, "office": A}
    out = {a: default for a in ACTORS}
    for k, v in who.items():
        out[names[k]] = v
    return out


EVERYONE = rule(200)
PUBLIC_POST = rule(OK)
SIGNED_IN = rule(200, visitor=LOGIN)
CANDIDATES = rule(403, visitor=LOGIN, candidate=200, other=200)
OWN_BOOKING = rule(403, visitor=LOGIN, candidate=200, other=404)
OFFICE = rule(403, visitor=LOGIN, office=200)
OFFICE_POST = rule(403, visitor=LOGIN, office=OK)
SIGNED_IN_FORM = rule(303, visitor=200)  # a visitor's form: signed-in users go to their dashboard

# "METHOD PATTERN": (the path, with {name} from World, and the answers).
RULES = {
    "GET /": ("/", EVERYONE),
    "GET /register": ("/register", SIGNED_IN_FORM),
    "POST /register": ("/register", PUBLIC_POST),
    "GET /login": ("/login", SIGNED_IN_FORM),
    "POST /login": ("/login", PUBLIC_POST),
    "POST /logout": ("/logout", rule(303, visitor=LOGIN)),
    "GET /dashboard": ("/dashboard", SIGNED_IN),
    "GET /exams": ("/exams", CANDIDATES),
    "POST /exams/{#}/book": ("/exams/{open_session}/book", rule(403, visitor=LOGIN, candidate=OK, other=OK)),
    "GET /bookings/{#}": ("/bookings/{booking}", OWN_BOOKING),
    "GET /bookings/{#}/calendar.ics": ("/bookings/{booking}/calendar.ics", OWN_BOOKING),
    "POST /bookings/{#}/cancel": ("/bookings/{booking}/cancel", rule(403, visitor=LOGIN, candidate=303, other=404)),
    "GET /results": ("/results", CANDIDATES),
    "GET /certificates": ("/certificates", SIGNED_IN),
    "GET /certificates/{}.pdf": ("/certificates/{certificate}.pdf",
                                 rule(404, visitor=LOGIN, candidate=200, office=200)),
    "GET /verify": ("/verify", EVERYONE),
    "POST /verify": ("/verify", PUBLIC_POST),
    "GET /verify/keys": ("/verify/keys", EVERYONE),
    "GET /verify/keys.txt": ("/verify/keys.txt", EVERYONE),
    "GET /verify/{}": ("/verify/{certificate}", EVERYONE),
    "POST /admin/certificates/{}/revoke": ("/admin/certificates/{certificate}/revoke", OFFICE_POST),
    "POST /admin/certificates/{}/reissue": ("/admin/certificates/{certificate}/reissue", OFFICE_POST),
    "GET /examiner/sessions/{#}": ("/examiner/sessions/{published_session}",
                                   rule(403, visitor=LOGIN, examiner=200, office=200)),
    "POST /examiner/sessions/{#}/results": ("/examiner/sessions/{published_session}/results",
                                            rule(403, visitor=LOGIN, examiner=OK)),
    "POST /examiner/sessions/{#}/import": ("/examiner/sessions/{published_session}/import",
                                           rule(403, visitor=LOGIN, examiner=OK)),
    "POST /admin/sessions/{#}/publish": ("/admin/sessions/{published_session}/publish", OFFICE_POST),
    "POST /admin/bookings/{#}/decision": ("/admin/bookings/{result_booking}/decision", OFFICE_POST),
    "POST /admin/bookings/{#}/resolve": ("/admin/bookings/{result_booking}/resolve", OFFICE_POST),
    "POST /admin/bookings/{#}/amend": ("/admin/bookings/{result_booking}/amend", OFFICE_POST),
    "GET /admin/exams": ("/admin/exams", OFFICE),
    "POST /admin/exams/{}/marks": ("/admin/exams/L3-PAED/marks", OFFICE_POST),
    "POST /admin/exams/{}/rules": ("/admin/exams/L3-PAED/rules", OFFICE_POST),
    "POST /admin/rules/{#}/retire": ("/admin/rules/{rule}/retire", OFFICE_POST),
    "GET /admin": ("/admin", OFFICE),
    "GET /admin/sessions": ("/admin/sessions", OFFICE),
    "POST /admin/sessions": ("/admin/sessions", OFFICE_POST),
    "GET /admin/sessions/{#}": ("/admin/sessions/{published_session}", OFFICE),
    "POST /admin/sessions/{#}/examiners": ("/admin/sessions/{spare_session}/examiners", OFFICE_POST),
    "POST /admin/sessions/{#}/close": ("/admin/sessions/{spare_session}/close", OFFICE_POST),
    "GET /admin/candidates": ("/admin/candidates", OFFICE),
    "GET /admin/candidates/{#}": ("/admin/candidates/{candidate_id}", OFFICE),
    "POST /admin/candidates/{#}/records": ("/admin/candidates/{candidate_id}/records", OFFICE_POST),
    "POST /admin/candidates/{#}/name": ("/admin/candidates/{candidate_id}/name", OFFICE_POST),
    "POST /admin/candidates/{#}/attestations": ("/admin/candidates/{candidate_id}/attestations", OFFICE_POST),
    "GET /admin/editions": ("/admin/editions", OFFICE),
    "POST /admin/editions": ("/admin/editions", OFFICE_POST),
    "GET /admin/import": ("/admin/import", OFFICE),
    "POST /admin/import": ("/admin/import", OFFICE_POST),
}

# Routes DESIGN §3 promises that may not be in the table yet: their rule is kept, not stale.
PLANNED = {
    "GET /password/forgot": ("/password/forgot", rule(OK)),
    "POST /password/forgot": ("/password/forgot", PUBLIC_POST),
    "GET /password/forgot/sent": ("/password/forgot/sent", rule(OK)),
    "GET /password/reset/{}": ("/password/reset/{bad_token}", rule(ANSWERED)),
    "POST /password/reset/{}": ("/password/reset/{bad_token}", rule(ANSWERED)),
    "GET /confirm/{}": ("/confirm/{bad_token}", rule(ANSWERED)),
    "POST /confirm/resend": ("/confirm/resend", rule(OK, visitor=LOGIN)),
    "GET /admin/mail": ("/admin/mail", OFFICE),
    "POST /admin/mail/{#}/retry": ("/admin/mail/999999999/retry", OFFICE_POST),
    "GET /admin/audit": ("/admin/audit", OFFICE),
}


def routes():
    """The portal's own route table: ["METHOD PATTERN", ...] from esonr-portal --routes."""
    portal = os.path.join(os.environ.get("ESONR_BIN") or os.path.join(ROOT, "bin"), "esonr-portal")
    p = subprocess.run([portal, "--routes"], capture_output=True, text=True, timeout=30)
    require(p.returncode == 0 and p.stdout.strip(), "esonr-portal --routes lists the route table",
            f"{p.returncode} {p.stderr}")
    out = []
    for line in p.stdout.splitlines():
        method, pattern, _roles = line.split("\t")
        out.append(f"{method} {pattern}")
    return out


def pattern_re(pattern):
    """The route matcher's reading of a pattern: {#} an id of 1-18 digits, {} [A-Za-z0-9_-]+."""
    parts = re.split(r"(\{#\}|\{\})", pattern)
    return "".join("[0-9]{1,18}" if p == "{#}" else "[A-Za-z0-9_-]+" if p == "{}" else re.escape(p) for p in parts)


class World:
    """One of each actor, signed in (visitor: a fresh client each time), and the data the
    routes point at: the candidate's booking on an open L1 session, a published L2 session
    (the assigned examiner's) with the candidate's result and certificate, a spare L1
    session, an L3-PAED rule of its own to retire."""

    def __init__(self):
        self.office = login(add_user("admin", "Matrix Office", "authz-office", PASSWORD), PASSWORD)
        examiner_email = add_user("examiner", "Matrix Examiner", "authz-exa", PASSWORD)
        self.examiner = login(examiner_email, PASSWORD)
        self.unassigned = login(add_user("examiner", "Matrix Elsewhere", "authz-exb", PASSWORD), PASSWORD)
        ecnr = ["GALEN", "ECNR-1", "ECNR-2", "ECNR-3", "ECNR-4"]
        self.candidate = register("Matrix Candidate", "authz-cand", PASSWORD, ecnr)
        self.other = register("Matrix Other", "authz-other", PASSWORD, ["GALEN"])

        self.open_session = add_session("L1", f"{YEAR}-03-01", "Matrix hall", 10)
        self.booking = book(self.candidate, self.open_session)
        self.spare_session = add_session("L1", f"{YEAR}-03-02", "Matrix hall", 10)

        self.published_session = add_session("L2", f"{YEAR}-04-01", "Matrix hall", 10)
        ctl("session", "examiner", self.published_session, examiner_email)
        self.result_booking = book(self.candidate, self.published_session)
        ctl("session", "close", self.published_session)
        status, _, body = self.examiner.post(f"/examiner/sessions/{self.published_session}/results", {
            f"written_{self.result_booking}": "80", f"oral_{self.result_booking}": "80"})
        require(status == 303, "set-up: the assigned examiner enters the result", (status, text_of(body)[:200]))
        rc, out, err = ctl("session", "publish", self.published_session)
        require(rc == 0, "set-up: the session is published", (rc, out, err))
        self.certificate = sql_value(f"SELECT number FROM certificates WHERE session_id = {int(self.published_session)}")
        require(re.fullmatch(r"ESNR-L2-\d{4}-\d{4}", self.certificate or ""), "set-up: the candidate holds a certificate",
                self.certificate)
        self.candidate_id = sql_value(f"SELECT id FROM users WHERE email = '{self.candidate.email}'")
        self.rule = sql_value("INSERT INTO exam_rules (exam_code, kind, attestation, note) "
                              "VALUES ('L3-PAED', 'attestation', 'ESNR-MEMBER', 'authorization matrix') RETURNING id")
        self.bad_token = "0" * 64
        for c in (self.office, self.examiner, self.unassigned, self.candidate, self.other):
            c.get("/dashboard")  # each signed-in session's csrf token

    def close(self):
        """Puts back what can affect other tests: the rule, if the matrix did not retire it."""
        sql_value(f"UPDATE exam_rules SET valid_until = now() WHERE id = {int(self.rule)} AND valid_until IS NULL")

    def client(self, actor):
        return {V: None, O: self.other, U: self.unassigned, E: self.examiner, C: self.candidate,
                A: self.office}[actor] or Client()


def answer_ok(expected, status, location):
    """Whether (status, Location) is what the rule expects."""
    to_login = status == 303 and (location or "").endswith("/login")
    if expected == LOGIN:
        return to_login
    if expected == ANSWERED:
        return status < 500
    if expected == OK:
        return status < 500 and status not in (403, 404) and not to_login
    return status == expected


def matrix(world, keys):
    """Asks every actor every route of KEYS (in the order of the table); one check per cell."""
    every = {**PLANNED, **RULES}
    for key in keys:
        path_of, expected = every[key]
        method, pattern = key.split(" ", 1)
        path = path_of.format(**vars(world))
        if not check(re.fullmatch(pattern_re(pattern), path), f"{key}: the rule's path {path} is one of the route's"):
            continue
        for actor in ACTORS:
            c = world.client(actor)
            if method == "GET":
                status, headers, _ = c.get(path)
            else:
                status, headers, _ = c.post(path, {})
            location = headers.get("Location")
            check(answer_ok(expected[actor], status, location),
                  f"{key}: {actor} gets {expected[actor]}",
                  f"{status}{' to ' + location if location else ''}")


def test_every_route_has_a_rule():
    table = routes()
    missing = [r for r in table if r not in RULES and r not in PLANNED]
    for r in missing:
        check(False, f"{r} has a rule in tests/integration/test_authorization.py",
              "add it to RULES: the path to ask and what each actor gets")
    stale = [r for r in RULES if r not in table]
    for r in stale:
        check(False, f"the rule for {r} matches a route of the table", "no such route any more: drop or fix the rule")
    check(not missing and not stale, f"the {len(table)} routes of the table and the rules agree",
          f"{len(missing)} without a rule, {len(stale)} rules without a route")
    check(len(set(table)) == len(table), "no route appears twice in the table")


def test_pages_answer_each_actor_by_their_rule():
    table = routes()
    world = World()
    try:
        matrix(world, [r for r in table if r.startswith("GET ") and r in {**PLANNED, **RULES}])
    finally:
        world.close()


def test_forms_answer_each_actor_by_their_rule():
    table = routes()
    world = World()
    try:
        posts = [r for r in table if r.startswith("POST ") and r in {**PLANNED, **RULES}]
        # Logging out ends the actor's session: ask it last.
        posts.sort(key=lambda r: r == "POST /logout")
        matrix(world, posts)
    finally:
        world.close()


if __name__ == "__main__":
    run()
