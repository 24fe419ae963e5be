"""Accounts (issue: foundation): registering, logging in and out, sessions, CSRF,
throttling, escaping, malformed requests, and `esonrctl user add`, as a visitor and the
office see them over HTTP through nginx and on the command line."""
import re
import urllib.parse

from harness import Client, check, ctl, post_oversized, run, sql_rows, unique_email

PASSWORD = "correct horse 42"
SESSION_COOKIE = "esonr_session"


def user_count(email):
    return int(sql_rows("SELECT count(*) FROM users WHERE lower(email) = lower(:'p1');", email)[0][0])


def register(email, name, password=PASSWORD, client=None):
    c = client or Client()
    status, headers, body = c.post("/register", {"email": email, "full_name": name, "password": password})
    if status == 303:
        c.get("/dashboard")  # the new session's csrf token
    return c, status, headers, body


def login(email, password, client=None):
    c = client or Client()
    status, headers, body = c.post("/login", {"email": email, "password": password})
    return c, status, headers, body


def set_cookies(headers):
    return headers.get_all("Set-Cookie") or []


def session_cookie_line(headers):
    for line in set_cookies(headers):
        if line.startswith(SESSION_COOKIE + "="):
            return line
    return None


def field_value(body, name):
    """The value attribute of the <input name=NAME> of a form, or None."""
    for tag in re.findall(r"<input\b[^>]*>", body):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            m = re.search(r'\bvalue="([^"]*)"', tag)
            return m.group(1) if m else None
    return None


def test_registration():
    email = unique_email("reg")
    name = "Ada Registered"
    c, status, headers, _ = register(email, name)
    check(status == 303 and headers["Location"] == "/dashboard",
          "registering answers 303 to /dashboard", f"{status} {headers['Location']}")
    status, _, body = c.get("/dashboard")
    check(status == 200 and name in body, "the new account's dashboard shows the name", status)

    # The same address in another case is the same account.
    secret = "another-secret-77"
    taken = email.upper()
    _, status, _, body = register(taken, "Someone Else", secret)
    check(status == 409 and "already exists" in body,
          "registering a taken e-mail (other case) answers 409 and says so", status)
    check(field_value(body, "email") == taken, "the 409 form shows the e-mail again",
          field_value(body, "email"))
    check(secret not in body, "the 409 form never shows the password")
    check(user_count(email) == 1, "the taken e-mail still has exactly one account")


def test_unknown_field():
    email = unique_email("role")
    c = Client()
    status, _, body = c.post("/register", [("email", email), ("full_name", "Mallory Admin"),
                                           ("password", PASSWORD), ("role", "admin")])
    check(status == 400, "registering with an extra field role=admin answers 400", status)
    check("role" in body, "the 400 page names the unexpected field")
    check(user_count(email) == 0, "no account is created for the extra-field registration")
    _, status, _, _ = login(email, PASSWORD)
    check(status == 401, "logging in with the refused registration's e-mail fails (401)", status)


def test_invalid_input():
    name, email = "Grace Kept", unique_email("kept")
    cases = [
        ("an invalid e-mail", {"email": "not-an-address", "full_name": name, "password": PASSWORD},
         "email-error", "not-an-address"),
        ("an empty name", {"email": email, "full_name": "", "password": PASSWORD}, "name-error", None),
        ("a short password", {"email": email, "full_name": name, "password": "short1"},
         "password-error", None),
    ]
    for what, fields, error_id, _ in cases:
        status, _, body = Client().post("/register", fields)
        check(status == 400, f"registering with {what} answers 400", status)
        check(f'id="{error_id}"' in body and 'aria-invalid="true"' in body,
              f"registering with {what}: the reason stands beside the field")
        check(field_value(body, "email") == fields["email"] and field_value(body, "full_name") == fields["full_name"],
              f"registering with {what}: the e-mail and name are kept",
              f"{field_value(body, 'email')!r} {field_value(body, 'full_name')!r}")
        check(field_value(body, "password") in (None, "") and fields["password"] not in body,
              f"registering with {what}: the password is not shown again")
    check(user_count(email) == 0, "no account is created by invalid registrations")


def test_wrong_password_and_throttle():
    email = unique_email("throttle")
    register(email, "Tom Throttled")
    _, status, _, body = login(email, "wrong password 1")
    check(status == 401, "a wrong password answers 401", status)
    check(PASSWORD not in body and "wrong password 1" not in body, "the 401 page does not echo the password")

    statuses, retry = [status], None
    for i in range(6):
        _, status, headers, _ = login(email, f"wrong password {i + 2}")
        statuses.append(status)
        if status == 429:
            retry = headers.get("Retry-After")
            break
    check(429 in statuses and all(s == 401 for s in statuses[:statuses.index(429)] if 429 in statuses)
          and statuses.index(429) <= 6,
          "6 failed logins on one account lead to 429", statuses)
    check(retry is not None and retry.isdigit() and 0 < int(retry) <= 3600,
          "the 429 answer carries a Retry-After header in seconds", retry)
    c, status, _, body = login(email, PASSWORD)
    check(status == 429, "while throttled even the right password is refused (429)", status)
    status, headers, _ = c.get("/dashboard")
    check(status == 303 and headers["Location"] == "/login", "no session is opened while throttled", status)


def test_csrf():
    email = unique_email("csrf")
    register(email, "Cora Csrf")
    c = Client()
    c.get("/login")
    status, _, _ = c.post("/login", {"email": email, "password": PASSWORD}, csrf=False)
    check(status == 403, "a login POST without the csrf field answers 403", status)
    status, _, _ = c.post("/login", {"email": email, "password": PASSWORD, "csrf": "0" * 48})
    check(status == 403, "a login POST with a wrong csrf token answers 403", status)
    status, _, _ = Client().post("/register", {"email": unique_email("nocsrf"), "full_name": "No Csrf",
                                               "password": PASSWORD, "csrf": "abc"})
    check(status == 403, "a registration POST without a pre-session and with a made-up csrf answers 403", status)

    signed, status, _, _ = register(unique_email("csrf2"), "Signed In")
    token = signed.csrf
    status, _, _ = signed.post("/logout", {}, csrf=False)
    check(status == 403, "a logout POST without the csrf field answers 403", status)
    status, _, _ = signed.get("/dashboard")
    check(status == 200, "after the refused logout the user is still signed in", status)
    other = Client()
    other.get("/login")
    status, _, _ = signed.post("/logout", {"csrf": other.csrf})
    check(status == 403, "a logout POST with another session's csrf token answers 403", status)
    check(signed.csrf == token, "the csrf token is the same on every page of one session")


def test_escaping():
    name = '<script>alert("x")</script> O\'Brien & Co'
    c, status, _, _ = register(unique_email("xss"), name)
    check(status == 303, "a name with <script> can be registered", status)
    status, _, body = c.get("/dashboard")
    check(status == 200 and "<script>" not in body.lower(), "the raw <script> tag never appears on the dashboard")
    check("&lt;script&gt;" in body, "the name is shown escaped on the dashboard")


def test_signed_out():
    status, headers, _ = Client().get("/dashboard")
    check(status == 303 and headers["Location"] == "/login",
          "signed out, /dashboard answers 303 to /login", f"{status} {headers['Location']}")


def test_malformed_bodies():
    email = unique_email("malformed")
    c = Client()
    c.get("/login")
    tok = urllib.parse.quote(c.csrf or "")
    bodies = [
        ("bad percent-encoding (%zz)", f"email={email}&password=ab%zzcd&csrf={tok}"),
        ("invalid UTF-8 (%C3%28)", f"email={email}&full_name=x%C3%28y&password=longenough&csrf={tok}"),
        ("a duplicate field", f"email={email}&email=other%40example.test&full_name=Dup&password=longenough&csrf={tok}"),
    ]
    for what, body in bodies:
        status, _, page = c.post_raw("/register", body.encode(), "application/x-www-form-urlencoded")
        check(status == 400, f"a body with {what} answers 400", status)
    check(user_count(email) == 0, "no account is created from a malformed body")
    status, _, _ = Client().get("/")
    check(status == 200, "GET / answers 200 after the malformed bodies", status)


def test_oversized():
    answer = post_oversized("/register", 12 * 1024 * 1024, "application/x-www-form-urlencoded")
    status_line = answer.split("\r\n", 1)[0]
    check(" 413 " in status_line + " ", "a 12 MB registration body answers 413", status_line)
    status, _, _ = Client().get("/")
    check(status == 200, "the stack keeps serving after the 12 MB body (GET / 200)", status)


def test_sessions_and_logout():
    email = unique_email("session")
    register(email, "Sam Session")
    c = Client()
    status, headers, _ = c.get("/login")
    pre = c.cookies.get(SESSION_COOKIE)
    line = session_cookie_line(headers)
    check(pre is not None and line is not None, "GET /login gives a visitor a pre-session cookie", line)
    c, status, headers, _ = login(email, PASSWORD, c)
    check(status == 303 and headers["Location"] == "/dashboard", "logging in answers 303 to /dashboard",
          f"{status} {headers['Location']}")
    line = session_cookie_line(headers) or ""
    attrs = [a.strip().lower() for a in line.split(";")[1:]]
    check("httponly" in attrs, "the session cookie is HttpOnly", line)
    check("samesite=lax" in attrs, "the session cookie is SameSite=Lax", line)
    check("path=/" in attrs, "the session cookie has Path=/", line)
    token = c.cookies.get(SESSION_COOKIE)
    check(token is not None and token != pre, "logging in rotates the session token (the cookie value changes)")
    stale = Client()
    stale.cookies[SESSION_COOKIE] = pre
    status, headers, _ = stale.get("/dashboard")
    check(status == 303 and headers["Location"] == "/login", "the pre-login session token does not open /dashboard",
          status)

    status, _, body = c.get("/dashboard")
    check(status == 200 and "Sam Session" in body, "the signed-in user's dashboard opens", status)
    status, headers, _ = c.post("/logout", {})
    check(status == 303 and headers["Location"] == "/", "logging out answers 303 to /",
          f"{status} {headers['Location']}")
    old = Client()
    old.cookies[SESSION_COOKIE] = token
    status, headers, _ = old.get("/dashboard")
    check(status == 303 and headers["Location"] == "/login",
          "after logout the old session cookie no longer opens /dashboard", status)


def test_european_scripts():
    for script, name in (("Greek", "Νίκος Παπαδόπουλος"), ("Cyrillic", "Анна Каренина-Щукина")):
        email = unique_email(script.lower())
        c, status, _, _ = register(email, name)
        check(status == 303, f"a {script} name can be registered", status)
        status, _, body = c.get("/dashboard")
        check(status == 200 and name in body, f"the {script} name is shown exactly on the dashboard")
        rows = sql_rows("SELECT full_name FROM users WHERE email = lower(:'p1');", email)
        check(rows == [[name]], f"the {script} name is stored exactly", rows)


def test_cli_user_add():
    email = unique_email("cli")
    rc, out, err = ctl("user", "add", email, "--name", "Clara Cli", "--role", "candidate", stdin=PASSWORD + "\n")
    check(rc == 0 and re.fullmatch(r"[0-9]+\n", out) is not None,
          "esonrctl user add with the password on stdin prints the new id", f"{rc} {out!r} {err!r}")
    c, status, headers, _ = login(email.upper(), PASSWORD)
    check(status == 303 and headers["Location"] == "/dashboard",
          "the user added with esonrctl can log in (e-mail typed in capitals)", status)
    status, _, body = c.get("/dashboard")
    check(status == 200 and "Clara Cli" in body, "the esonrctl user's dashboard shows the name", status)
    rc, _, err = ctl("user", "add", email, "--name", "Clara Again", "--role", "candidate", stdin=PASSWORD + "\n")
    check(rc != 0 and "exists" in err, "esonrctl user add refuses an e-mail that is taken", f"{rc} {err!r}")

    two = unique_email("cli2")
    rc, out, err = ctl("user", "add", two, "--name", "Line Two", "--role", "examiner",
                       stdin=PASSWORD + "\nsecond line is not the password\n")
    _, status, _, _ = login(two, PASSWORD)
    check(rc == 0 and status == 303, "the password on stdin ends at the first newline", f"{rc} {err!r} {status}")

    bad = unique_email("clibad")
    cases = [
        ("an invalid e-mail", ["user", "add", "not-an-address", "--name", "X Y", "--role", "candidate"], PASSWORD + "\n"),
        ("an unknown role", ["user", "add", bad, "--name", "X Y", "--role", "superuser"], PASSWORD + "\n"),
        ("no --name", ["user", "add", bad, "--role", "candidate"], PASSWORD + "\n"),
        ("a short password", ["user", "add", bad, "--name", "X Y", "--role", "candidate"], "short\n"),
        ("an unknown option", ["user", "add", bad, "--name", "X Y", "--role", "candidate", "--admin", "yes"],
         PASSWORD + "\n"),
        ("a missing e-mail", ["user", "add", "--name", "X Y", "--role", "candidate"], PASSWORD + "\n"),
    ]
    for what, args, stdin in cases:
        rc, out, err = ctl(*args, stdin=stdin)
        check(rc == 2 and out == "" and len(err.strip().splitlines()) == 1,
              f"esonrctl user add with {what} exits 2 with a one-line message", f"{rc} {out!r} {err!r}")
    check(user_count(bad) == 0, "esonrctl user add with bad arguments writes nothing")
    _, status, _, _ = login(bad, PASSWORD)
    check(status == 401, "nobody can log in with the refused esonrctl e-mail", status)


def test_logout_form_everywhere():
    c, _, _, _ = register(unique_email("pages"), "Paula Pages")
    pages = ["/", "/dashboard", "/exams", "/results", "/certificates", "/verify", "/verify/keys",
             "/no-such-page", "/bookings/999999999"]
    for path in pages:
        status, _, body = c.get(path)
        has = re.search(r'<form[^>]*action="/logout"', body) is not None and \
            f'name="csrf" value="{c.csrf}"' in body
        check(status < 500 and has, f"the signed-in page {path} carries the logout form with the csrf token", status)


def test_errors_and_methods():
    status, _, body = Client().get("/no-such-page-here")
    check(status == 404 and "Not Found" in body, "an unknown path answers the 404 page", status)
    status, _, _ = Client().get("/logout")
    check(status == 405, "GET on the POST-only /logout answers 405", status)
    status, _, _ = Client().request("DELETE", "/login")
    check(status == 405, "DELETE /login answers 405", status)
    status, headers, body = Client().request("HEAD", "/")
    check(status == 200 and body == "", "HEAD / answers 200 without a body", status)
    status, _, body = Client().request("HEAD", "/login")
    check(status == 200 and body == "", "HEAD /login answers 200 without a body", status)
    status, _, _ = Client().get("/login?next=%zz")
    check(status == 400, "a query string with bad percent-encoding answers 400", status)
    status, _, body = Client().get("/register")
    check(status == 200 and 'name="full_name"' in body and 'name="csrf"' in body,
          "GET /register shows the form with its csrf field", status)


if __name__ == "__main__":
    run()
