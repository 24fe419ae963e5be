"""Forged certificates, as an attacker would make them (issue 9): a file re-signed with a
retired key's stolen secret, a file signed with a key the register never had, a QR record
re-signed, a key id that is a path; rotation, compromise and reissue end to end. Each is
tried online (POST /verify, GET /verify/{number}, esonrctl with the register) and offline
(esonrctl with only a public key or the published key list, no register).

Shared state it changes: it rotates the stack's signing key (esonrctl keygen) and marks one
of its own keys compromised; a key is in force again when each test ends.
"""
import base64
import glob
import hashlib
import http.client
import os
import re
import subprocess
import tempfile
import urllib.parse

from harness import (ESONRCTL, URL, VAR, Client, certificate_of, check, ctl, passed_session, require, run,
                     sql_value, text_of)

PASSWORD = "forgery-test-password"
YEAR = "2033"
WORK = tempfile.mkdtemp(prefix="esonr-forgery-")
# Ed25519 private keys in PKCS#8 DER: this prefix, then the 32-byte seed (RFC 8410).
ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
_dates = iter(range(1, 28))


def sh(*cmd, stdin=None):
    p = subprocess.run(list(cmd), input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def save(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def issued(name):
    """A candidate NAME who passed L1 in a session of their own, published: (client, number, pdf bytes)."""
    sid, (cand,) = passed_session(f"{YEAR}-05-{next(_dates):02d}", [name], "forge", PASSWORD, score=80)
    rc, out, err = ctl("session", "publish", sid)
    require(rc == 0, "set-up: the session is published", (rc, out, err))
    number, pdf = certificate_of(cand)
    return cand, number, pdf


def fetch(client, path):
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    hdrs = {"Connection": "close", "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}
    conn.request("GET", path, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    require(resp.status == 200, f"set-up: GET {path}", resp.status)
    return data


def key_in_force():
    return sql_value("SELECT id FROM signing_keys WHERE retired_at IS NULL")


def steal_secret(key_id):
    """What an attacker who once read var/keys holds: the key's 32-byte seed."""
    text = open(os.path.join(VAR, "keys", f"{key_id}.key")).read().split()
    return bytes.fromhex(text[2])[:32]


def ed25519_sign(seed, message):
    """Signs with openssl (an attacker's tool, not ours)."""
    der = ED25519_PKCS8_PREFIX + seed
    pem = "-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PRIVATE KEY-----\n"
    keyfile, msgfile = save("attacker.pem", pem), save("message.bin", message)
    rc, _, err = sh("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", keyfile, "-in", msgfile,
                    "-out", os.path.join(WORK, "sig.bin"))
    require(rc == 0, "set-up: openssl signs with Ed25519", err)
    return open(os.path.join(WORK, "sig.bin"), "rb").read()


def ed25519_public(seed):
    der = ED25519_PKCS8_PREFIX + seed
    pem = "-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PRIVATE KEY-----\n"
    p = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=pem.encode(), capture_output=True)
    return p.stdout[-32:]


def key_id_of(pub):
    return hashlib.blake2b(pub, digest_size=8).hexdigest()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def resign(pdf, seed, key_id, number, signed_at, change_at=None):
    """The file with one byte changed (when CHANGE_AT) and a fresh ESoNR trailer made with SEED."""
    body = bytearray(pdf[:pdf.rfind(b"\n%ESNR-SIGNATURE")])
    if change_at is not None:
        body[change_at] ^= 0x01
    head = bytes(body) + b"\n" + f"%ESNR-SIGNATURE v2 key={key_id} number={number} signed={signed_at} ed25519=".encode()
    return head + b64url(ed25519_sign(seed, head)).encode() + b"\n"


def verify_upload(data):
    v = Client()
    v.get("/verify")
    status, _, body = v.post_multipart("/verify", files={"pdf": ("c.pdf", data, "application/pdf")})
    return status, text_of(body)


def cli_verify(path, *extra, var=None):
    return sh(ESONRCTL, "--var", var or VAR, "cert", "verify", path, *extra)


def offline_var():
    """A --var without a stack: esonrctl cannot reach any register from there."""
    return tempfile.mkdtemp(prefix="esonr-offline-", dir=WORK)


def key_list():
    """GET /verify/keys.txt saved as a file, as a verifier would download it."""
    data = fetch(Client(), "/verify/keys.txt")
    return save("keys.txt", data), data.decode()


def qr_of(number):
    return sql_value("SELECT qr_text FROM certificates WHERE number = :'p1'", number)


def utc_now():
    return sql_value("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")


# ---------------------------------------------------------------- the tests

def test_rotation_destroys_the_retired_secret_and_keeps_old_certificates_genuine():
    cand, number, pdf = issued("Greta Rotation")
    old = key_in_force()
    secret_hex = open(os.path.join(VAR, "keys", f"{old}.key")).read().split()[2]
    rc, new, err = ctl("keygen")
    new = new.strip()
    require(rc == 0 and new != old, "esonrctl keygen brings a new key into force", (rc, new, err))
    check(not os.path.exists(os.path.join(VAR, "keys", f"{old}.key")),
          "the retired key's secret file is gone", glob.glob(os.path.join(VAR, "keys", "*")))
    check(os.path.exists(os.path.join(VAR, "keys", f"{old}.pub")), "its public half stays")
    seed = bytes.fromhex(secret_hex)[:32]
    holders = []
    for path in glob.glob(os.path.join(VAR, "**"), recursive=True):
        if os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) < 64 << 20:
            data = open(path, "rb").read()
            if seed in data or secret_hex.encode() in data or secret_hex[:64].encode() in data:
                holders.append(path)
    check(not holders, "nothing under $VAR keeps the retired secret, as text or bytes", holders)
    status, text = verify_upload(pdf)
    check(status == 200 and "Genuine" in text and "retired" in text,
          "a certificate signed before the rotation is still genuine, under its retired key", (status, text[:300]))
    rc, out, err = cli_verify(save("rot.pdf", pdf))
    check(rc == 0 and number in out, "esonrctl cert verify accepts it too", (rc, out, err))
    keys, _ = key_list()
    rc, out, err = sh(ESONRCTL, "--var", offline_var(), "cert", "verify-qr", qr_of(number), "--key", keys)
    check(rc == 0 and "retired" in out and "not consulted" in out,
          "offline with the key list, its QR record still verifies and says its key is retired", (rc, out, err))


def test_a_file_resigned_with_a_retired_keys_stolen_secret_is_refused():
    cand, number, pdf = issued("Ruth Resigned")
    old = key_in_force()
    seed = steal_secret(old)  # stolen while the key was in force
    rc, out, err = ctl("keygen")
    require(rc == 0, "set-up: the key is rotated", (rc, out, err))
    forged = resign(pdf, seed, old, number, utc_now(), change_at=len(pdf) // 2)
    status, text = verify_upload(forged)
    check(status == 422 and "altered" in text,
          "POST /verify: the altered file re-signed with the retired key answers 422, altered", (status, text[:300]))
    path = save("resigned.pdf", forged)
    rc, out, err = cli_verify(path)
    check(rc == 1 and "altered" in out and len(out.splitlines()) == 1,
          "esonrctl cert verify with the register exits 1, altered", (rc, out, err))
    keys, _ = key_list()
    off = offline_var()
    rc, out, err = cli_verify(path, "--key", keys, var=off)
    check(rc == 1 and "retired" in out, "offline with the published key list: signed after the key's retirement, exit 1",
          (rc, out, err))
    rc, out, err = cli_verify(path, "--key", os.path.join(VAR, "keys", f"{old}.pub"), var=off)
    check(rc == 0 and "not consulted" in out and "not known" in out,
          "offline with the bare public key: the signature is the key's, and it says what it cannot know", (rc, out, err))
    backdated = resign(pdf, seed, old, number, "2020-01-01T00:00:00Z", change_at=len(pdf) // 2)
    rc, out, err = cli_verify(save("backdated.pdf", backdated), "--key", keys, var=off)
    check(rc == 1 and "before key" in out, "offline with the list: a signing time before the key existed, exit 1",
          (rc, out, err))
    status, text = verify_upload(backdated)
    check(status == 422, "the backdated forgery is refused online", (status, text[:200]))


def test_a_file_signed_with_a_key_the_register_never_had_is_refused():
    cand, number, pdf = issued("Karl Unknownkey")
    seed = os.urandom(32)
    pub = ed25519_public(seed)
    kid = key_id_of(pub)
    forged = resign(pdf, seed, kid, number, utc_now())
    status, text = verify_upload(forged)
    check(status == 422 and kid in text, "POST /verify: signed with a key not in the register answers 422, naming it",
          (status, text[:300]))
    path = save("foreign.pdf", forged)
    rc, out, err = cli_verify(path)
    check(rc == 1 and len(out.splitlines()) == 1, "esonrctl cert verify with the register exits 1", (rc, out, err))
    keys, _ = key_list()
    rc, out, err = cli_verify(path, "--key", keys, var=offline_var())
    check(rc == 1 and "does not contain" in out, "offline with the published key list: the key is not in it, exit 1",
          (rc, out, err))
    attacker_pub = save("attacker.pub", pub.hex() + "\n")
    rc, out, err = cli_verify(path, "--key", attacker_pub, var=offline_var())
    check(rc == 0 and "not consulted" in out,
          "offline with the forger's own key only: the mathematics hold, and it says the register was not consulted",
          (rc, out, err))
    # A known key, but not the one the register recorded for this number.
    other = next((k for k in sql_value("SELECT string_agg(id, ' ') FROM signing_keys").split()
                 if k != sql_value("SELECT key_id FROM certificates WHERE number = :'p1'", number)), None)
    if other:
        forged2 = resign(pdf, os.urandom(32), other, number, utc_now())
        status, text = verify_upload(forged2)
        check(status == 422 and "register records" in text,
              "POST /verify: a trailer naming another ESNR key than the register's answers 422", (status, text[:300]))


def test_offline_without_key_uses_the_stacks_published_keys_only():
    cand, number, pdf = issued("Olga Offline")
    key = key_in_force()
    off = offline_var()
    os.makedirs(os.path.join(off, "keys"))
    with open(os.path.join(VAR, "keys", f"{key}.pub")) as src, open(os.path.join(off, "keys", f"{key}.pub"), "w") as dst:
        dst.write(src.read())
    path = save("olga.pdf", pdf)
    rc, out, err = cli_verify(path, var=off)
    check(rc == 0 and "not consulted" in out and len(out.splitlines()) == 1,
          "without the database, the stack's published key checks the file and says the register was not consulted",
          (rc, out, err))
    seed = os.urandom(32)
    forged = resign(pdf, seed, key_id_of(ed25519_public(seed)), number, utc_now())
    rc, out, err = cli_verify(save("olga-forged.pdf", forged), var=off)
    check(rc == 1 and "cannot tell" in out, "a key the stack never published cannot vouch for anything", (rc, out, err))
    rc, out, err = cli_verify(save("olga-altered.pdf", pdf[:1000] + bytes([pdf[1000] ^ 1]) + pdf[1001:]), var=off)
    check(rc == 1 and "altered" in out, "and a changed byte is still detected", (rc, out, err))


def test_a_resigned_qr_record_is_refused():
    cand, number, pdf = issued("Quentin Record")
    key = key_in_force()
    seed = steal_secret(key)
    qr = qr_of(number)
    rc, out, err = ctl("cert", "verify-qr", qr)
    require(rc == 0 and number in out, "set-up: the genuine QR text verifies", (rc, out, err))
    base, record = qr.split("#", 1)
    payload = base64.urlsafe_b64decode(record.split(".")[1] + "==").decode()
    fields = payload.split("|")
    fields[1] = "Mallory Impostor"
    forged_payload = "|".join(fields).encode()
    forged = f"{base}#v1.{b64url(forged_payload)}.{b64url(ed25519_sign(seed, forged_payload))}"
    rc, out, err = ctl("cert", "verify-qr", forged)
    check(rc == 1 and "not the record" in out, "verify-qr with the register: a record re-signed with the right key "
          "but other content exits 1", (rc, out, err))
    rc, out, err = ctl("cert", "revoke", number, "--reason", "forgery test: revoked")
    rc, out, err = ctl("cert", "verify-qr", qr)
    check(rc == 1 and "revoked" in out, "verify-qr reports a revoked number as revoked (exit 1)", (rc, out, err))
    keys, _ = key_list()
    rc, out, err = sh(ESONRCTL, "--var", offline_var(), "cert", "verify-qr", qr, "--key", keys)
    check(rc == 0 and "not consulted" in out, "verify-qr offline with the key list says the register was not consulted",
          (rc, out, err))
    rc, out, err = sh(ESONRCTL, "--var", offline_var(), "cert", "verify-qr", qr)
    check(rc == 1 and "no --key" in out, "verify-qr offline without a key list cannot tell (exit 1)", (rc, out, err))


def test_a_key_id_that_is_a_path_is_refused():
    cand, number, pdf = issued("Pat Traversal")
    seed = os.urandom(32)
    evil_dir = tempfile.mkdtemp(prefix="evil-", dir=WORK)
    pub = ed25519_public(seed)
    save(os.path.join(evil_dir, "evil.pub"), f"esonr-ed25519-public {key_id_of(pub)} {pub.hex()}\n")
    rel = os.path.relpath(os.path.join(evil_dir, "evil"), os.path.join(VAR, "keys"))
    qr = qr_of(number)
    base = qr.split("#", 1)[0]
    payload = f"{number}|Eve Traversal|Level 1 certificate in neuroradiology|{YEAR}-05-01|{rel}".encode()
    forged = f"{base}#v1.{b64url(payload)}.{b64url(ed25519_sign(seed, payload))}"
    rc, out, err = ctl("cert", "verify-qr", forged)
    check(rc == 1 and "VALID:" not in out.replace("NOT VALID", ""),
          "verify-qr with the register refuses a record whose key id is a path (../..)", (rc, out, err))
    rc, out, err = sh(ESONRCTL, "--var", offline_var(), "cert", "verify-qr", forged)
    check(rc == 1, "offline too, with no key given", (rc, out, err))
    keys, _ = key_list()
    rc, out, err = sh(ESONRCTL, "--var", offline_var(), "cert", "verify-qr", forged, "--key", keys)
    check(rc == 1, "and offline with the published key list", (rc, out, err))


def test_a_compromised_key_stops_its_certificates_until_reissued():
    cand, number, pdf = issued("Clara Compromise")
    key = key_in_force()
    rc, out, err = ctl("key", "compromised", key)
    check(rc == 2, "key compromised without --reason exits 2", (rc, out, err))
    rc, out, err = ctl("key", "compromised", "../../etc", "--reason", "x")
    check(rc == 2, "key compromised with a key id that is no key id exits 2", (rc, out, err))
    rc, out, err = ctl("key", "compromised", key, "--reason", "laptop with a copy stolen")
    require(rc == 0 and number in out, "esonrctl key compromised marks it and lists its certificates to reissue",
            (rc, out, err))
    check(sql_value("SELECT count(*) FROM audit_log WHERE action = 'key.compromised' AND entity_id = :'p1'", key) == "1",
          "the compromise is in the audit log")
    check(not os.path.exists(os.path.join(VAR, "keys", f"{key}.key")), "its secret is destroyed")
    rc, out, err = ctl("key", "compromised", key, "--reason", "again")
    check(rc == 1, "marking it twice exits 1", (rc, out, err))
    status, text = verify_upload(pdf)
    check(status == 422 and "compromised" in text and "reissue" in text,
          "POST /verify of a certificate it signed: 422, signed with a compromised key, ask for a reissue",
          (status, text[:300]))
    rc, out, err = cli_verify(save("comp.pdf", pdf))
    check(rc == 1 and "compromised" in out, "esonrctl cert verify exits 1, compromised", (rc, out, err))
    keys, _ = key_list()
    rc, out, err = cli_verify(save("comp-off.pdf", pdf), "--key", keys, var=offline_var())
    check(rc == 1 and "compromised" in out, "offline with the published key list too", (rc, out, err))
    rc, out, err = sh(ESONRCTL, "--var", offline_var(), "cert", "verify-qr", qr_of(number), "--key", keys)
    check(rc == 1 and "compromised" in out, "and its QR record, offline with the list", (rc, out, err))
    status, _, body = Client().get(f"/verify/{number}")
    t = text_of(body)
    check(status == 200 and "compromised" in t and "Status: valid" not in t,
          "GET /verify/NUMBER says compromised, not valid", t[:400])
    keys_text = key_list()[1]
    check(re.search(rf"^key {key} [0-9a-f]{{64}} \S+Z \S+Z compromised$", keys_text, re.M) is not None,
          "/verify/keys.txt publishes the key as compromised, with its period", keys_text)
    status, _, body = Client().get("/verify/keys")
    check("laptop with a copy stolen" in text_of(body), "/verify/keys shows the state and the reason")
    rc, out, err = ctl("cert", "reissue", number, "--reason", "key compromised")
    check(rc == 1 and "keygen" in err, "no key is in force: a reissue waits for esonrctl keygen", (rc, out, err))
    rc, new_key, err = ctl("keygen")
    require(rc == 0, "set-up: a new key comes into force", (rc, new_key, err))
    rc, out, err = ctl("cert", "reissue", number, "--reason", "key compromised")
    fresh = out.strip()
    require(rc == 0 and fresh != number, "esonrctl cert reissue gives a new number under the new key", (rc, out, err))
    new_pdf = fetch(cand, f"/certificates/{fresh}.pdf")
    status, text = verify_upload(new_pdf)
    check(status == 200 and "Genuine" in text, "the reissued certificate is genuine", (status, text[:300]))
    status, text = verify_upload(pdf)
    check(status == 422 and "compromised" in text and fresh in text,
          "the old file still does not verify, and names the number that replaced it", (status, text[:300]))


if __name__ == "__main__":
    run()
