"""Certificates: the signed PDF, its QR code, public verification, revocation, reissue,
key rotation, names in any European script, and the secret key staying secret.

Every test publishes a session of its own (2032) for candidates of its own. Shared state
it changes: `esonrctl keygen` rotates the stack's signing key (the new key stays in force).
"""
import atexit
import glob
import os
import re
import shutil
import subprocess
import tempfile

from harness import (ESONRCTL, URL, VAR, Client, add_session, add_user, book, check, ctl, login, psql, register,
                     require, run, sql_value, text_of)

PASSWORD = "certificates-test-password"
YEAR = "2032"
WORK = tempfile.mkdtemp(prefix="esonr-certs-")
atexit.register(shutil.rmtree, WORK, True)  # the runner's process only: tests end with os._exit


# ---------------------------------------------------------------- helpers

def sh(*cmd):
    p = subprocess.run(list(cmd), capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def session_of(examiner, date, *candidates, score=(75, 80)):
    """An L1 session of CANDIDATES, closed, every candidate passing (results saved by the signed-in EXAMINER); its id."""
    sid = add_session("L1", date, "Certificates test hall, Vienna")
    ctl("session", "examiner", sid, examiner.email)
    bookings = [book(c, sid) for c in candidates]
    ctl("session", "close", sid)
    fields = []
    for b in bookings:
        fields += [(f"written_{b}", str(score[0])), (f"oral_{b}", str(score[1]))]
    status, _, body = examiner.post(f"/examiner/sessions/{sid}/results", fields)
    if status != 303:
        raise RuntimeError(f"results of session {sid}: {status} {text_of(body)[:200]}")
    return sid


def cert_number(client):
    """The number of the client's certificate in force, from GET /certificates."""
    status, _, body = client.get("/certificates")
    nums = re.findall(r'href="/certificates/(ESNR-[A-Z0-9-]+)\.pdf"', body)
    return nums[0] if nums else None


def download(client, number):
    status, headers, _ = client.request("GET", f"/certificates/{number}.pdf")
    return status, headers


def fetch_pdf(client, number):
    """GET /certificates/NUMBER.pdf as raw bytes (Client decodes text)."""
    import http.client
    conn = http.client.HTTPConnection(client.host, client.port, timeout=30)
    hdrs = {"Host": f"{client.host}:{client.port}", "Connection": "close",
            "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}
    conn.request("GET", f"/certificates/{number}.pdf", headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.headers, data


def save(name, data):
    path = os.path.join(WORK, f"{os.getpid()}-{name}")  # each test runs in a process of its own
    with open(path, "wb") as f:
        f.write(data)
    return path


def pdftext(path):
    rc, out, err = sh("pdftotext", "-enc", "UTF-8", path, "-")
    return " ".join(out.split())


def qr_of(path):
    prefix = os.path.join(WORK, os.path.basename(path) + "-page")
    sh("pdftoppm", "-r", "150", "-png", path, prefix)
    texts = []
    for png in sorted(glob.glob(prefix + "*.png")):
        rc, out, err = sh("zbarimg", "-q", "--raw", png)
        texts += [line for line in out.splitlines() if line.strip()]
    return texts


def verify_upload(data, filename="certificate.pdf"):
    v = Client()
    v.get("/verify")
    return v.post_multipart("/verify", files={"pdf": (filename, data, "application/pdf")})


def key_of(data):
    m = re.search(rb"%ESNR-SIGNATURE v\d key=([0-9a-f]{16}) ", data)
    return m.group(1).decode() if m else None


def cli_verify(path, *extra, var=None):
    cmd = [ESONRCTL, "--var", var or VAR, "cert", "verify", path, *extra]
    return sh(*cmd)


def keys_page():
    """GET /verify/keys as {key_id: retired text ('in force' or a date)}."""
    status, _, body = Client().get("/verify/keys")
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [text_of(td) for td in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        if len(cells) >= 4 and re.fullmatch(r"[0-9a-f]{16}", cells[0]):
            rows[cells[0]] = cells[3]
    return status, rows


ZOE = "Zoë Łukasiewicz-Ørsted"
GREEK = "Νίκος Παπαδόπουλος"
CYRILLIC = "Анна Каренина"


class Published:
    """The office, an examiner and candidates named NAMES who passed an L1 session (on DATE)
    that the office published: .admin, .examiner, .holders (signed-in Clients, NAMES order),
    .numbers (their certificate numbers)."""

    def __init__(self, *names, date=f"{YEAR}-02-17"):
        self.admin = login(add_user("admin", "Office Certificates Tester", "cert-admin", PASSWORD), PASSWORD)
        self.examiner = login(add_user("examiner", "Dr Erik Certmarker", "cert-exam", PASSWORD), PASSWORD)
        self.holders = [register(n, "cert-holder", PASSWORD, ["GALEN"]) for n in names]
        self.session = session_of(self.examiner, date, *self.holders)
        status, _, body = self.admin.post(f"/admin/sessions/{self.session}/publish")
        require(status == 303, f"set-up: the office publishes a session of {len(names)} passes",
                (status, text_of(body)[:300]))
        self.numbers = [cert_number(h) for h in self.holders]
        require(all(self.numbers), "set-up: every holder's certificate is listed", self.numbers)

    def pdf(self, i=0):
        """(the i-th holder's PDF bytes, its path in WORK)."""
        status, _, data = fetch_pdf(self.holders[i], self.numbers[i])
        require(status == 200 and data.startswith(b"%PDF-"), "set-up: the holder downloads the PDF", status)
        return data, save(f"holder{i}.pdf", data)


def key_in_force():
    _, keys = keys_page()
    return next((k for k, v in keys.items() if v == "in force"), None)


# ---------------------------------------------------------------- the holder's PDF

def test_holder_downloads_the_signed_pdf():
    p = Published(ZOE)
    number = p.numbers[0]
    check(re.fullmatch(rf"ESNR-L1-{YEAR}-\d{{4}}", number),
          "GET /certificates lists the holder's certificate with its number", number)
    status, headers, pdf = fetch_pdf(p.holders[0], number)
    check(status == 200 and headers.get("Content-Type", "").startswith("application/pdf") and pdf.startswith(b"%PDF-"),
          "the holder downloads /certificates/NUMBER.pdf as application/pdf", (status, headers.get("Content-Type")))
    path = save("zoe.pdf", pdf)
    rc, out, err = sh("qpdf", "--check", path)
    check(rc == 0, "qpdf --check accepts the certificate PDF", (rc, out[-200:], err[-200:]))
    text = pdftext(path)
    check(ZOE in text, "the PDF shows the holder's name exactly as registered (Zoë Łukasiewicz-Ørsted)", text[:300])
    check(number in text, "the PDF shows the certificate number", text[:300])
    check("Level 1 certificate in neuroradiology" in text, "the PDF shows the qualification", text[:300])


def test_qr_code_leads_to_the_verification_page():
    p = Published(ZOE)
    number = p.numbers[0]
    _, path = p.pdf()
    qrs = qr_of(path)
    qr = next((q for q in qrs if q.startswith(f"{URL}/verify/")), None)
    require(qr is not None and qr.startswith(f"{URL}/verify/{number}")
            and not re.match(r"[A-Za-z0-9-]", qr[len(f"{URL}/verify/{number}"):][:1]),
            "the QR code decodes to the portal's /verify/NUMBER address", qrs)
    rc, out, err = ctl("cert", "verify-qr", qr)
    check(rc == 0 and number in out and ZOE in out, "esonrctl cert verify-qr accepts the QR code's text", (rc, out, err))
    forged = qr.replace("#v1.", "#v1.A", 1)
    rc, out, err = ctl("cert", "verify-qr", forged)
    check(rc == 1, "esonrctl cert verify-qr refuses an altered QR text", (rc, out, err))


def test_verification_detects_one_changed_byte():
    p = Published(ZOE)
    number = p.numbers[0]
    pdf, path = p.pdf()
    status, _, body = verify_upload(pdf)
    check(status == 200 and "Genuine" in text_of(body), "POST /verify of the untouched file answers 200 Genuine",
          (status, text_of(body)[:200]))
    check(ZOE in text_of(body) and number in text_of(body), "the genuine page shows the holder and the number")

    tampered = bytearray(pdf)
    mid = len(tampered) // 2
    tampered[mid] = (tampered[mid] + 1) % 256
    tampered = bytes(tampered)
    tampered_pdf = save("zoe-tampered.pdf", tampered)
    status, _, body = verify_upload(tampered)
    check(status == 422 and "Not a genuine certificate" in text_of(body),
          "POST /verify of the file with one byte changed in the middle answers 422", status)
    check("altered" in text_of(body), "and says the file was altered", text_of(body)[:300])
    rc, out, err = cli_verify(tampered_pdf)
    check(rc == 1 and len(out.strip().splitlines()) == 1 and "altered" in out,
          "esonrctl cert verify of the changed file exits 1 with the reason on one line", (rc, out, err))
    rc, out, err = cli_verify(path)
    check(rc == 0 and number in out, "esonrctl cert verify of the untouched file exits 0", (rc, out, err))


def test_offline_verification_with_the_public_key():
    p = Published(ZOE)
    pdf, path = p.pdf()
    tampered = bytearray(pdf)
    tampered[len(pdf) // 2] ^= 1
    tampered_pdf = save("zoe-tampered.pdf", bytes(tampered))
    pub = os.path.join(VAR, "keys", f"{key_of(pdf)}.pub")
    rc, out, err = cli_verify(path, "--key", pub)
    check(rc == 0, "esonrctl cert verify --key KEY.pub checks the file against the published key", (rc, out, err))
    offline = tempfile.mkdtemp(prefix="esonr-offline-", dir=WORK)
    shutil.copy(pub, os.path.join(offline, "published.pub"))
    rc, out, err = cli_verify(path, "--key", os.path.join(offline, "published.pub"), var=offline)
    check(rc == 0 and len(out.strip().splitlines()) == 1, "the check works offline, with only the public key file",
          (rc, out, err))
    rc, out, err = cli_verify(tampered_pdf, "--key", os.path.join(offline, "published.pub"), var=offline)
    check(rc == 1 and len(out.strip().splitlines()) == 1, "offline, the changed file is refused (exit 1, one line)",
          (rc, out, err))


def test_files_that_are_not_our_certificates():
    p = Published(ZOE)
    pdf, _ = p.pdf()
    status, _, body = verify_upload(b"Just some text, not a certificate.\n", "notes.txt")
    check(status == 422, "POST /verify of a file that is not a PDF answers 422", status)
    check("not a certificate of ours" in text_of(body).lower(), "and says it is not a certificate of ours",
          text_of(body)[:300])
    unsigned = pdf[:pdf.rfind(b"\n%ESNR-SIGNATURE")] + b"\n"
    unsigned_path = save("unsigned.pdf", unsigned)
    status, _, body = verify_upload(unsigned)
    check(status == 422 and "not a certificate of ours" in text_of(body).lower(),
          "POST /verify of an unsigned PDF answers 422, not a certificate of ours", (status, text_of(body)[:300]))
    rc, out, err = cli_verify(unsigned_path)
    check(rc == 1, "esonrctl cert verify of an unsigned PDF exits 1", (rc, out, err))
    no_csrf = Client()
    status, _, _ = no_csrf.post_multipart("/verify", fields={"csrf": "wrong"}, files={"pdf": ("c.pdf", pdf)})
    check(status == 403, "POST /verify without the right csrf token answers 403", status)


# ---------------------------------------------------------------- who may download

def test_only_the_holder_and_the_office_download_the_pdf():
    p = Published(ZOE, "Rita Other")
    zoe, rita = p.holders
    number = p.numbers[0]
    pdf, _ = p.pdf()
    status, _ = download(rita, number)
    check(status == 404, "another candidate asking for the PDF gets 404", status)
    status, _ = download(p.examiner, number)
    check(status == 404, "an examiner asking for the PDF gets 404", status)
    status, headers, data = fetch_pdf(p.admin, number)
    check(status == 200 and data == pdf, "the office downloads the same PDF (200)", status)
    status, _, body = rita.get("/certificates")
    check(number not in body, "another candidate's certificate list does not show it")
    status, _ = download(Client(), number)
    check(status in (303, 401, 404), "a visitor who is not signed in does not get the PDF", status)


# ---------------------------------------------------------------- the public verification page

def test_public_verification_page():
    p = Published(ZOE)
    number = p.numbers[0]
    status, _, body = Client().get(f"/verify/{number}")
    t = text_of(body)
    check(status == 200 and "valid" in t.lower() and "revoked" not in t.lower(),
          "GET /verify/NUMBER answers 200 and says the certificate is valid", (status, t[:300]))
    check(ZOE in t and "Level 1 certificate in neuroradiology" in t, "it shows the holder's name and the qualification")
    check(p.holders[0].email not in body and "@example.test" not in body,
          "it does not show the holder's e-mail address")
    status, _, _ = Client().get(f"/verify/ESNR-L1-{YEAR}-9999")
    check(status == 404, "an unknown number answers 404", status)
    status, headers, _ = Client().get(f"/verify?number={number}")
    check(status in (302, 303) and (headers.get("Location") or "").endswith(f"/verify/{number}"),
          "the number form leads to the certificate's page", (status, headers.get("Location")))


def test_the_number_form_checks_numbers_as_everywhere_else():
    # GET /verify?number= takes a number the way every other form and esonrctl do
    # (domain/valid.h): white space around it and lower case are forgiven, anything that
    # is not ESNR-... answers 400 with the validator's sentence.
    p = Published("Nina Number")
    number = p.numbers[0]
    status, headers, _ = Client().get(f"/verify?number=%20{number.lower()}%20")
    check(status == 303 and headers.get("Location") == f"/verify/{number}",
          "a number typed in lower case with spaces leads to its page", (status, headers.get("Location")))
    for bad in ("L1-2027-0001", "ESNR-L1-2027-0001%2Fx", "ESNR-" + "9" * 60):
        status, headers, body = Client().get(f"/verify?number={bad}")
        check(status == 400 and headers.get("Location") is None
              and "A certificate number looks like ESNR-L1-2027-0001." in text_of(body),
              f"/verify?number={bad[:24]} answers 400 with the reason", status)


def test_the_verification_page_keeps_up_with_the_register():
    # The check of the register's own copy is kept (sql/057) under the digest of the stored
    # file; the number's standing is read at every view. Enough views that every portal
    # worker has seen it before each change, and every view after it must show it.
    views = 24
    p = Published("Vera Verified")
    number = p.numbers[0]
    pages = [text_of(Client().get(f"/verify/{number}")[2]) for _ in range(views)]
    require(all("Status: valid" in t for t in pages), "set-up: the certificate's page says valid")
    check(sql_value("SELECT count(*) FROM certificate_checks WHERE number = :'p1'", number) == "1",
          "the check of the register's copy is kept, not made again at every view")
    at = 3000
    orig = sql_value("SELECT get_byte(pdf, :'p2'::int) FROM certificates WHERE number = :'p1'", number, str(at))
    flip = str(int(orig) ^ 0x01)
    sql_value("UPDATE certificates SET pdf = set_byte(pdf, :'p2'::int, :'p3'::int) WHERE number = :'p1'",
              number, str(at), flip)
    pages = [text_of(Client().get(f"/verify/{number}")[2]) for _ in range(views)]
    check(all("register's copy of this certificate does not verify" in t and "Status: valid" not in t
              for t in pages),
          "one byte changed in the stored PDF (behind the portal's back): every view says the copy does not verify",
          pages[0][:300])
    sql_value("UPDATE certificates SET pdf = set_byte(pdf, :'p2'::int, :'p3'::int) WHERE number = :'p1'",
              number, str(at), orig)
    pages = [text_of(Client().get(f"/verify/{number}")[2]) for _ in range(views)]
    check(all("Status: valid" in t for t in pages), "the file put back as issued verifies again")
    rc, out, err = ctl("cert", "revoke", number, "--reason", "Checked by the page test")
    require(rc == 0, "set-up: esonrctl cert revoke", (rc, out, err))
    pages = [text_of(Client().get(f"/verify/{number}")[2]) for _ in range(views)]
    check(all("revoked" in t.lower() and "Checked by the page test" in t and "Status: valid" not in t
              for t in pages), "every view right after the revocation says revoked, with the reason")


# ---------------------------------------------------------------- Greek and Cyrillic names

def test_greek_and_cyrillic_names_on_the_pdf():
    p = Published(GREEK, CYRILLIC)
    for i, (name, label) in enumerate(((GREEK, "Greek"), (CYRILLIC, "Cyrillic"))):
        _, path = p.pdf(i)
        check(name in pdftext(path), f"a {label} holder's PDF shows the exact name ({name})", pdftext(path)[:200])


# ---------------------------------------------------------------- revocation

def test_revocation():
    p = Published("Rita Revoked")
    rita, rita_number = p.holders[0], p.numbers[0]
    rita_pdf, rita_path = p.pdf()
    rc, out, err = ctl("cert", "revoke", rita_number)
    check(rc == 2, "esonrctl cert revoke without --reason exits 2", (rc, out, err))
    rc, out, err = ctl("cert", "revoke", rita_number, "--reason", "Examination misconduct established")
    require(rc == 0, "esonrctl cert revoke NUMBER --reason revokes", (rc, out, err))
    status, _, body = Client().get(f"/verify/{rita_number}")
    t = text_of(body)
    check(status == 200 and "revoked" in t.lower() and "Examination misconduct established" in t
          and re.search(r"revoked on \d{1,2} \w+ \d{4}", t),
          "the verification page says revoked, with the date and the reason", t[:400])
    check("Status: valid" not in t, "a revoked certificate is no longer shown as valid")
    status, _, body = verify_upload(rita_pdf)
    check(status == 422 and "revoked" in text_of(body), "POST /verify of a revoked certificate's file answers 422, revoked",
          (status, text_of(body)[:300]))
    rc, out, err = cli_verify(rita_path)
    check(rc == 1 and "revoked" in out and len(out.strip().splitlines()) == 1,
          "esonrctl cert verify of a revoked certificate exits 1, saying revoked", (rc, out, err))
    rc, out, err = ctl("cert", "revoke", rita_number, "--reason", "again")
    check(rc == 1, "revoking twice exits 1", (rc, out, err))
    status, _, body = rita.get("/certificates")
    check(re.search(r"Revoked:\s*Examination misconduct established", text_of(body)) is not None,
          "the holder's certificate list shows it revoked, with the reason", text_of(body)[:300])


def test_office_revocation_and_reissue_forms():
    """The office's forms answer by the kind of refusal: an unknown number is 404, a revoked
    one 409; the reason follows the one rule for reasons (1 to 1000 characters)."""
    p = Published("Olga Officeform")
    number, admin = p.numbers[0], p.admin
    unknown = f"ESNR-L1-{YEAR}-9999"
    status, _, _ = admin.post(f"/admin/certificates/{unknown}/revoke", {"reason": "no such certificate"})
    check(status == 404, "revoking a number the register does not have answers 404", status)
    status, _, _ = admin.post(f"/admin/certificates/{unknown}/reissue", {"reason": "no such certificate"})
    check(status == 404, "reissuing a number the register does not have answers 404", status)
    rc, out, err = ctl("cert", "revoke", unknown, "--reason", "no such certificate")
    check(rc == 1 and unknown in err, "esonrctl cert revoke of an unknown number exits 1, naming it", (rc, out, err))
    status, _, _ = admin.post(f"/admin/certificates/{number}/revoke", {"reason": ""})
    check(status == 400, "revoking without a reason answers 400", status)
    status, _, _ = admin.post(f"/admin/certificates/{number}/revoke", {"reason": "x" * 1001})
    check(status == 400, "a reason of 1001 characters answers 400", status)
    status, _, _ = admin.post(f"/admin/certificates/{number}/revoke", {"reason": "why", "role": "admin"})
    check(status == 400, "a field the form does not have answers 400", status)
    status, _, body = Client().get(f"/verify/{number}")
    check(status == 200 and "revoked" not in text_of(body).lower(), "none of these revoked it", status)
    long_reason = "Ä" * 800
    status, headers, _ = admin.post(f"/admin/certificates/{number}/revoke", {"reason": long_reason})
    check(status == 303 and headers.get("Location") == f"/verify/{number}",
          "a reason of 800 characters (1600 bytes) is accepted: 303 to the verification page", status)
    status, _, _ = admin.post(f"/admin/certificates/{number}/revoke", {"reason": "again"})
    check(status == 409, "revoking it again answers 409", status)
    status, _, _ = admin.post(f"/admin/certificates/{number}/reissue", {"reason": "name change"})
    check(status == 409, "a revoked certificate cannot be reissued (409)", status)


# ---------------------------------------------------------------- signing keys and rotation

def test_key_rotation():
    p = Published(ZOE)
    pdf, path = p.pdf()
    key1 = key_of(pdf)
    status, keys = keys_page()
    check(status == 200 and keys.get(key1) == "in force", "GET /verify/keys lists the key in force", keys)

    rc, out, err = ctl("keygen")
    key2 = out.strip()
    require(rc == 0 and re.fullmatch(r"[0-9a-f]{16}", key2 or "") and key2 != key1, "esonrctl keygen creates a new key",
            (rc, out, err))
    paul = register("Paul Newkey", "cert-paul", PASSWORD, ["GALEN"])
    s2 = session_of(p.examiner, f"{YEAR}-03-09", paul)
    rc, out, err = ctl("session", "publish", s2)
    require(rc == 0 and "1 certificate" in out, "set-up: a session published after the rotation", (rc, out, err))
    paul_number = cert_number(paul)
    status, _, paul_pdf = fetch_pdf(paul, paul_number)
    check(key_of(paul_pdf) == key2, "a certificate issued after the rotation carries the new key id", key_of(paul_pdf))
    status, _, body = Client().get(f"/verify/{paul_number}")
    check(key2 in body, "its verification page names the new key")
    status, _, body = verify_upload(pdf)
    check(status == 200 and "Genuine" in text_of(body), "the certificate signed with the retired key still verifies (200)",
          (status, text_of(body)[:300]))
    check("retired" in text_of(body), "and the page says its key has been retired")
    rc, out, err = cli_verify(path)
    check(rc == 0, "esonrctl cert verify accepts the old certificate after the rotation", (rc, out, err))
    status, keys = keys_page()
    check(keys.get(key2) == "in force" and key1 in keys and re.match(r"\d{4}-\d{2}-\d{2}", keys.get(key1, "")),
          "GET /verify/keys shows both keys, the old one retired with its date", keys)
    rc, out, err = cli_verify(path, "--key", os.path.join(VAR, "keys", f"{key2}.pub"))
    check(rc == 1, "checking the old certificate against the new key's file exits 1", (rc, out, err))


# ---------------------------------------------------------------- reissue after a change of name

def test_reissue_after_a_change_of_name():
    p = Published(ZOE)
    zoe, number = p.holders[0], p.numbers[0]
    new_name = "Zoë Łukasiewicz-Nowak"
    psql(f"UPDATE users SET full_name = $n${new_name}$n$ WHERE email = $e${zoe.email}$e$")
    rc, out, err = ctl("cert", "reissue", number, "--reason", "name change")
    fresh = out.strip()
    require(rc == 0 and re.fullmatch(rf"ESNR-L1-{YEAR}-\d{{4}}", fresh) and fresh != number,
            "esonrctl cert reissue gives a new number", (rc, out, err))
    status, _, body = Client().get(f"/verify/{number}")
    t = text_of(body)
    check(status == 200 and "superseded" in t.lower() and fresh in t,
          "the old number's page says it is superseded by the new one", t[:400])
    status, _, body = Client().get(f"/verify/{fresh}")
    t = text_of(body)
    check(status == 200 and "valid" in t.lower() and new_name in t and number in t,
          "the new number's page is valid, with the new name, and names the number it replaces", t[:400])
    check(cert_number(zoe) == fresh, "the holder's certificate list offers the new certificate first")
    status, _, new_pdf = fetch_pdf(zoe, fresh)
    new_path = save("zoe-reissued.pdf", new_pdf)
    check(status == 200 and new_name in pdftext(new_path) and fresh in pdftext(new_path),
          "the reissued PDF shows the new name and the new number", pdftext(new_path)[:200])
    check(key_of(new_pdf) == key_in_force(), "the reissued PDF is signed with the key in force",
          (key_of(new_pdf), key_in_force()))
    rc, out, err = cli_verify(new_path)
    check(rc == 0, "esonrctl cert verify accepts the reissued PDF", (rc, out, err))
    rc, out, err = ctl("cert", "reissue", number, "--reason", "name change")
    check(rc == 1, "a superseded certificate cannot be reissued again (exit 1)", (rc, out, err))


# ---------------------------------------------------------------- a name the font cannot draw

# A name the font cannot draw is refused when registered, and no longer stops a publication:
# tests/integration/test_names.py.


def test_the_secret_key_stays_secret():
    key = key_in_force()
    require(key is not None, "set-up: /verify/keys names the key in force")
    key_files = sorted(glob.glob(os.path.join(VAR, "keys", "*.key")))
    check(key_files and all(os.stat(f).st_mode & 0o777 == 0o600 for f in key_files),
          "every secret key file has mode 0600", [(f, oct(os.stat(f).st_mode & 0o777)) for f in key_files])
    secrets_hex = [open(f).read().split()[-1] for f in key_files]
    probes = [f"/var/keys/{key}.key", f"/keys/{key}.key", f"/static/../var/keys/{key}.key", "/static/../var"]
    for path in probes:
        status, _, body = Client().get(path)
        check(status == 404 and not any(s in body for s in secrets_hex), f"GET {path} answers 404 without the key",
              status)
    for path in (f"/static/../../var/keys/{key}.key", f"/static/..%2fvar/keys/{key}.key",
                 f"/static/%2e%2e/var/keys/{key}.key"):
        status, _, body = Client().get(path)
        check(status in (400, 404) and not any(s in body for s in secrets_hex),
              f"GET {path} does not serve the key", status)
    status, _, body = Client().get("/verify/keys")
    check(not any(s in body for s in secrets_hex), "the keys page publishes no secret key")


if __name__ == "__main__":
    run()
