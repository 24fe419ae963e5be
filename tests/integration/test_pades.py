"""The standard PDF signature (issue 9): a published certificate carries a PAdES signature
that poppler (pdfsig) calls valid and names the signer of, trusted once the stack's local CA
is in an NSS database; qpdf finds the file clean; one changed byte inside the signed range
makes it invalid; the Ed25519 check keeps working on the final file and sees a changed byte
anywhere, the PDF signature's own bytes included. The page says it is signed, by whom, and
where to verify it."""
import os
import re
import subprocess
import tempfile

from harness import (ESONRCTL, URL, VAR, Client, certificate_of, check, ctl, passed_session, require, run,
                     text_of)

PASSWORD = "pades-test-password"
WORK = tempfile.mkdtemp(prefix="esonr-pades-")
_dates = iter(range(1, 28))


def sh(*cmd):
    p = subprocess.run(list(cmd), capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


def issued(name):
    """A certificate of NAME's own, published: (number, pdf bytes, path of a saved copy)."""
    sid, (cand,) = passed_session(f"2036-02-{next(_dates):02d}", [name], "pades", PASSWORD, score=70)
    rc, out, err = ctl("session", "publish", sid)
    require(rc == 0, "set-up: published", (rc, out, err))
    number, data = certificate_of(cand)
    return number, data, save(f"{number}.pdf", data)


def save(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def byte_range(data):
    m = re.search(rb"/ByteRange \[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    return [int(x) for x in m.groups()] if m else None


def verify_upload(data):
    v = Client()
    v.get("/verify")
    status, _, body = v.post_multipart("/verify", files={"pdf": ("c.pdf", data, "application/pdf")})
    return status, text_of(body)


def flip(data, at):
    b = bytearray(data)
    b[at] ^= 0x01
    return bytes(b)


def test_pdfsig_says_the_signature_is_valid_and_names_the_signer():
    number, data, path = issued("Paula Pades")
    rc, out = sh("pdfsig", path)
    check("Signature is Valid" in out, "pdfsig: Signature is Valid", out[-600:])
    check("Signer Certificate Common Name: European School of Neuroradiology" in out, "pdfsig names the signer", out)
    check("ETSI.CAdES.detached" in out and "SHA-256" in out, "PAdES: CAdES detached, SHA-256", out)
    rc, out = sh("qpdf", "--check", path)
    check(rc == 0 and "No syntax or stream encoding errors" in out and "WARNING" not in out,
          "qpdf --check finds the signed file clean", out[-400:])
    status, text = verify_upload(data)
    check(status == 200 and "Genuine" in text, "the Ed25519 check of the final file still says genuine", (status, text[:200]))
    rc, out = sh(ESONRCTL, "--var", VAR, "cert", "verify", path)
    check(rc == 0 and number in out, "esonrctl cert verify accepts it", out)


def test_with_the_local_ca_in_an_nss_database_the_certificate_is_trusted():
    number, data, path = issued("Nora Nss")
    ca = os.path.join(VAR, "keys", "ca.crt")
    require(os.path.exists(ca), "the stack has its local development CA")
    nss = tempfile.mkdtemp(prefix="nss-", dir=WORK)
    rc, out = sh("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    require(rc == 0, "set-up: an NSS database", out)
    rc, out = sh("certutil", "-A", "-n", "ESoNR development CA", "-t", "CT,C,C", "-i", ca, "-d", f"sql:{nss}")
    require(rc == 0, "set-up: the local CA imported", out)
    rc, out = sh("pdfsig", "-nssdir", f"sql:{nss}", path)
    check("Signature is Valid" in out and "Certificate is Trusted" in out,
          "pdfsig -nssdir: valid, and the certificate is trusted", out[-600:])


def test_one_changed_byte_inside_the_signed_range_is_detected():
    number, data, path = issued("Otto Onebyte")
    r = byte_range(data)
    require(r and r[0] == 0 and r[2] + r[3] < len(data), "the byte range leaves out /Contents and the Ed25519 line", r)
    # A byte inside the first range: the middle of libharu's page content.
    bad = flip(data, r[1] // 2)
    rc, out = sh("pdfsig", save("bad.pdf", bad))
    check("Signature is Valid" not in out and ("Invalid" in out or "Mismatch" in out or "not" in out.lower()),
          "pdfsig reports the signature invalid", out[-500:])
    status, text = verify_upload(bad)
    check(status == 422 and "altered" in text, "and POST /verify says altered", (status, text[:200]))
    # A byte of the signature itself, outside the byte range: Ed25519 still sees it.
    inside_cms = flip(data, r[1] + 40)
    status, text = verify_upload(inside_cms)
    check(status == 422 and "altered" in text, "a changed byte of the CMS signature is detected by Ed25519", (status, text[:200]))
    rc, out = sh("pdfsig", save("bad-cms.pdf", inside_cms))
    check("Signature is Valid" not in out, "and pdfsig no longer calls it valid", out[-400:])
    # The Ed25519 trailer comes after the PDF signature's revision.
    tail = data[r[2] + r[3]:]
    check(tail.startswith(b"%ESNR-SIGNATURE v2 ") and tail.endswith(b"\n") and tail.count(b"\n") == 1,
          "the Ed25519 signature is the file's last line, after the PDF signature's %%EOF", tail[:80])


def test_the_page_says_it_is_signed_by_whom_and_where_to_verify():
    number, data, path = issued("Petra Page")
    rc, out = sh("pdftotext", "-enc", "UTF-8", path, "-")
    text = " ".join(out.split())
    check("Digitally signed by European School of Neuroradiology" in text, "the page says who signed it", text[-300:])
    check(f"Verify this certificate at {URL}/verify/{number}" in text, "and where to verify it", text[-300:])


if __name__ == "__main__":
    run()
