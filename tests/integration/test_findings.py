"""Smaller findings of the security review (issue 12): 405 answers say what is allowed; the
e-mail address is checked as RFC 5321 does, internationalised addresses accepted."""
import urllib.parse

from harness import Client, check, require, run, sql_value, text_of, unique_email


def test_405_carries_allow():
    # RFC 9110: a 405 answer names the methods the address accepts.
    for method, path, allow in (("GET", "/logout", "POST"), ("POST", "/verify/keys", "GET, HEAD"),
                                ("PUT", "/login", "GET, HEAD, POST"), ("DELETE", "/register", "GET, HEAD, POST")):
        status, headers, _ = Client().request(method, path)
        check(status == 405 and headers.get("Allow") == allow, f"{method} {path}: 405 with Allow: {allow}",
              (status, headers.get("Allow")))


def sign_up(email):
    c = Client()
    c.get("/register")
    return c.post("/register", {"email": email, "full_name": "Mail Probe", "password": "mail-probe-pw"})


def test_register_checks_the_address_as_rfc_5321():
    probe = "sqe@x.example'/**/and/**/1008=3300--/**/ribz"
    status, _, body = sign_up(probe)
    check(status == 400 and "domain" in text_of(body), "an address whose domain is not a domain: 400, saying so",
          status)
    check(sql_value("SELECT count(*) FROM users WHERE email LIKE 'sqe@x.example%'") == "0", "nothing is stored")
    for bad in ("zoe@localhost", "zoe@[192.0.2.1]", "zoe@-x.example", "a..b@x.example"):
        status, _, _ = sign_up(bad)
        check(status == 400, f"{bad}: 400", status)
    local = unique_email("jürgen").split("@")[0]
    idn = f"{local}@Klinikum-München.example"
    status, headers, body = sign_up(idn)
    require(status == 303, "an internationalised address signs up", (status, text_of(body)[:200]))
    stored = sql_value("SELECT email FROM users WHERE email = :'p1'", idn.replace("K", "k").replace("M", "m"))
    check(stored == f"{local}@klinikum-münchen.example", "it is stored in UTF-8, ASCII letters lower-cased", stored)
    check(urllib.parse.urlsplit(headers.get("Location", "")).path == "/dashboard", "and is signed in",
          headers.get("Location"))


if __name__ == "__main__":
    run()
