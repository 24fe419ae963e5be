"""Smaller findings of the security review (issue 12): 405 answers say what is allowed; the
e-mail address is checked as RFC 5321 does, internationalised addresses accepted."""
import html
import re
import urllib.parse

from harness import Client, add_user, check, login, require, run, sql_value, text_of, unique_email


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


def test_pre_sessions_are_minted_by_the_server():
    # A token the client invents, or a real one with its expiry moved, is not a pre-session.
    c = Client()
    c.get("/login")
    real = c.cookies.get("esonr_session", "")
    require(real.startswith("p") and len(real) == 81, "a visitor gets a pre-session cookie", real)
    forged = "p" + "ffffffff00000000"[:16] + "ab" * 32
    moved = real[:1] + "%016x" % (int(real[1:17], 16) + 86400 * 365) + real[17:]
    for what, token in (("an invented token", forged), ("a real token with its expiry moved", moved)):
        v = Client()
        v.cookies["esonr_session"] = token
        status, headers, _ = v.get("/login")
        fresh = [h for h in headers.get_all("Set-Cookie") or [] if h.startswith("esonr_session=")]
        check(status == 200 and fresh and not fresh[0].startswith(f"esonr_session={token};"),
              f"{what} is replaced by a pre-session the server mints", fresh)
    v = Client()
    v.cookies["esonr_session"] = real
    status, headers, _ = v.get("/login")
    check(status == 200 and not headers.get_all("Set-Cookie"), "the server's own token is kept", headers.get_all("Set-Cookie"))


def fastcgi_get(path, params):
    """GET PATH straight to the portal's FastCGI socket (as nginx would) with extra PARAMS."""
    import os
    import socket
    import struct
    from harness import VAR

    def record(kind, content):
        return struct.pack(">BBHHBx", 1, kind, 1, len(content), 0) + content

    def pairs(d):
        out = b""
        for k, v in d.items():
            k, v = k.encode(), v.encode()
            out += bytes([len(k)]) + (bytes([len(v)]) if len(v) < 128 else struct.pack(">I", len(v) | 1 << 31)) + k + v
        return out

    env = {"REQUEST_METHOD": "GET", "DOCUMENT_URI": path, "SCRIPT_NAME": path, "REQUEST_URI": path,
           "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "localhost",
           **params}
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(VAR, "run", "portal.sock"))
    s.sendall(record(1, struct.pack(">HB5x", 1, 0)) + record(4, pairs(env)) + record(4, b"") + record(5, b""))
    data, out = b"", b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    while len(data) >= 8:
        _, kind, _, n, pad = struct.unpack(">BBHHB", data[:7])
        if kind == 6:
            out += data[8:8 + n]
        data = data[8 + n + pad:]
    return out.decode(errors="replace")


def test_cookie_behind_tls_has_the_host_prefix():
    # Behind TLS (nginx passes HTTPS=on) the session cookie is __Host-esonr_session, Secure.
    answer = fastcgi_get("/login", {"HTTPS": "on"})
    cookies = [line for line in answer.split("\r\n") if line.lower().startswith("set-cookie:")]
    check(cookies and cookies[0].split(":", 1)[1].strip().startswith("__Host-esonr_session=")
          and "Secure" in cookies[0] and "Path=/" in cookies[0] and "Domain" not in cookies[0],
          "over TLS the cookie is __Host-esonr_session; Secure; Path=/, no Domain", cookies)
    plain = fastcgi_get("/login", {})
    check("Set-Cookie: esonr_session=" in plain and "Secure" not in plain.split("\r\n\r\n")[0],
          "over plain HTTP (the local stack) it stays esonr_session without Secure")


def test_rules_form_checks_the_course():
    # An unknown course code: 400, the reason beside the field of that exam's form, nothing stored.
    pw = "rules-form-pw"
    office = login(add_user("admin", "Rules Office", "rulesoffice", pw), pw)
    before = sql_value("SELECT count(*) FROM exam_rules")
    for value, said in (("course:NOPE-1", "There is no course NOPE-1"),
                        ("certificate:L9", "There is no examination L9"),
                        ("attestation:NOT-A-KIND", "There is no attestation NOT-A-KIND"),
                        ("elephant:GALEN", "A prerequisite is a course, a certificate or an attestation")):
        status, _, body = office.post("/admin/exams/L1/rules", {"requirement": value})
        m = re.search(r'<select id="req-L1"[^>]*aria-invalid="true"[^>]*>.*?<p class="error-text" id="req-L1-error">([^<]*)</p>',
                      body, re.S)
        check(status == 400 and m and said in html.unescape(m.group(1)),
              f"{value}: 400, with the reason beside the L1 form's field", (status, m and m.group(1)))
    check(sql_value("SELECT count(*) FROM exam_rules") == before, "no rule was added")


if __name__ == "__main__":
    run()
