/* The PAdES signature on a certificate PDF: a development identity is made, libharu's output
 * gets its signing revision, the byte range covers every byte but the signature's own, the
 * CMS verifies over it under the development CA, and pdfsig and qpdf agree (when present).
 * Any changed byte inside the range breaks it. */
#include "check.h"
#include "core/buf.h"
#include "pdf/certificate.h"
#include "sign/pades.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

static char dir[] = "/tmp/test_pades.XXXXXX";

static int have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static const char *run(struct arena *a, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	struct buf b;
	buf_init(&b, a);
	char chunk[4096];
	size_t n;
	while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(&b, chunk, n);
	if (p)
		pclose(p);
	buf_append(&b, "", 1);
	return b.data;
}

static const char *save(struct arena *a, const char *name, const unsigned char *pdf, size_t len)
{
	const char *path = arena_printf(a, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return NULL;
	size_t w = fwrite(pdf, 1, len, f);
	return fclose(f) == 0 && w == len ? path : NULL;
}

/* The CMS of the file's /Contents verified over its /ByteRange under the CA. */
static int cms_valid(const unsigned char *pdf, size_t len, const char *ca_path)
{
	const char *br = memmem(pdf, len, "/ByteRange [", 12);
	size_t r[4];
	if (br == NULL || sscanf(br + 12, "%zu %zu %zu %zu", &r[0], &r[1], &r[2], &r[3]) != 4 || r[0] != 0 ||
	    r[2] + r[3] != len || pdf[r[1]] != '<' || pdf[r[2] - 1] != '>')
		return 0;
	size_t hexlen = r[2] - r[1] - 2;
	unsigned char *der = malloc(hexlen / 2);
	for (size_t i = 0; i < hexlen / 2; i++) {
		unsigned v;
		sscanf((const char *)pdf + r[1] + 1 + 2 * i, "%2x", &v);
		der[i] = (unsigned char)v;
	}
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)(hexlen / 2));
	unsigned char *content = malloc(r[1] + r[3]);
	memcpy(content, pdf, r[1]);
	memcpy(content + r[1], pdf + r[2], r[3]);
	BIO *in = BIO_new_mem_buf(content, (int)(r[1] + r[3]));
	X509_STORE *store = X509_STORE_new();
	FILE *f = fopen(ca_path, "r");
	X509 *ca = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	X509_STORE_add_cert(store, ca);
	X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
	int ok = cms != NULL && CMS_verify(cms, NULL, store, in, NULL, CMS_BINARY | CMS_DETACHED) == 1;
	/* PAdES baseline: the time is /M's; signing-certificate-v2 binds the certificate. */
	CMS_SignerInfo *si = cms ? sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0) : NULL;
	ok = ok && si != NULL && CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0 &&
	    CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0;
	X509_free(ca);
	X509_STORE_free(store);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	free(content);
	free(der);
	return ok;
}

int main(void)
{
	struct arena *a = arena_new();
	char err[512];
	CHECK(mkdtemp(dir) != NULL, "a temporary folder");
	CHECK(pades_dev_identity_create(dir, "0123456789abcdef", err, sizeof err) == 0,
	    "a development CA and signing certificate are made");
	const char *ca = arena_printf(a, "%s/ca.crt", dir);
	struct pades_identity *id = pades_load(arena_printf(a, "%s/0123456789abcdef.pades.crt", dir),
	    arena_printf(a, "%s/0123456789abcdef.pades.key", dir), ca, NULL, NULL, err, sizeof err);
	CHECK(id != NULL, "the development signing identity loads");
	CHECK(id != NULL && strstr(pades_signer_name(id), "European School of Neuroradiology") != NULL,
	    "its name is the School's");
	CHECK(pades_dev_identity_create(dir, "fedcba9876543210", err, sizeof err) == 0 &&
	    access(arena_printf(a, "%s/fedcba9876543210.pades.crt", dir), F_OK) == 0,
	    "a second signing certificate is made under the same CA");

	CHECK(cert_fonts_init(FONT, FONT, err, sizeof err) == 0, "fonts");
	struct cert_doc d = {
		.number = "ESNR-L1-2027-0001", .holder_name = "Zoë Łukasiewicz-Ørsted",
		.qualification = "Level 1 certificate in neuroradiology", .level = "Level 1",
		.session_date = "3 May 2027", .session_place = "Vienna", .issue_date = "4 May 2027",
		.key_id = "0123456789abcdef", .qr_text = "https://esonr.example/verify/ESNR-L1-2027-0001",
		.creation_date = "2027-05-04T08:00:00Z", .signed_by = "European School of Neuroradiology",
		.signatory_1 = "A", .signatory_1_role = "B", .signatory_2 = "C", .signatory_2_role = "D",
	};
	unsigned char *pdf, *out;
	size_t len, outlen;
	CHECK(cert_render(a, &d, &pdf, &len, err, sizeof err) == 0, "a certificate is drawn");
	struct pades_layout l;
	const char *why;
	CHECK(pades_read_layout(pdf, len, &l, &why) == 0 && l.root && l.page && l.size > 4,
	    "libharu's layout is read: catalog, page, xref");
	struct pades_info info = { "2027-05-04T08:00:01Z", "Certificate of the ESoNR", "Vienna", NULL };
	int signed_ok = id != NULL && pades_sign(a, pdf, len, id, &info, &out, &outlen, err, sizeof err) == 0;
	CHECK(signed_ok, "the PDF signature is added");
	if (!signed_ok) {
		printf("# %s\n", err);
		CHECK_DONE();
	}
	CHECK(outlen > len && memcmp(out, pdf, len) == 0, "the signature is an incremental update: the original bytes stay");
	CHECK(cms_valid(out, outlen, ca), "the CMS verifies over the byte range under the development CA");
	CHECK(memmem(out + len, outlen - len, "/SubFilter /ETSI.CAdES.detached", 31) != NULL &&
	    memmem(out + len, outlen - len, "/SigFlags 3", 11) != NULL, "PAdES: CAdES detached, /SigFlags 3");
	unsigned char *bad = arena_alloc(a, outlen);
	memcpy(bad, out, outlen);
	bad[len / 2] ^= 1;
	CHECK(!cms_valid(bad, outlen, ca), "one byte changed inside the range: the CMS no longer verifies");
	CHECK(pades_read_layout(out, outlen, &l, &why) != 0, "a PDF that already has a signature field is refused");

	const char *path = save(a, "signed.pdf", out, outlen);
	if (have("pdfsig")) {
		const char *o = run(a, arena_printf(a, "pdfsig %s 2>&1", path));
		CHECK(strstr(o, "Signature is Valid") != NULL, "pdfsig: Signature is Valid");
		if (strstr(o, "Signature is Valid") == NULL)
			printf("# %s\n", o);
		CHECK(strstr(o, "European School of Neuroradiology") != NULL, "pdfsig names the signer");
		const char *badpath = save(a, "bad.pdf", bad, outlen);
		o = run(a, arena_printf(a, "pdfsig %s 2>&1", badpath));
		CHECK(strstr(o, "Signature is Valid") == NULL, "pdfsig does not call the changed file valid");
	}
	if (have("qpdf")) {
		const char *o = run(a, arena_printf(a, "qpdf --check %s 2>&1; echo rc=$?", path));
		CHECK(strstr(o, "rc=0") != NULL && strstr(o, "WARNING") == NULL, "qpdf --check finds nothing wrong");
		if (strstr(o, "rc=0") == NULL)
			printf("# %s\n", o);
	}
	if (have("openssl")) {
		/* Production: one PKCS#12 file with key, certificate and chain, as a CA delivers it. */
		const char *p12 = arena_printf(a, "%s/production.p12", dir);
		run(a, arena_printf(a, "openssl pkcs12 -export -in %s/0123456789abcdef.pades.crt -inkey "
		    "%s/0123456789abcdef.pades.key -certfile %s -passout pass:s3cret -out %s 2>&1", dir, dir, ca, p12));
		struct pades_identity *prod = pades_load(NULL, NULL, NULL, p12, "s3cret", err, sizeof err);
		CHECK(prod != NULL, "a PKCS#12 signing certificate with its chain loads");
		CHECK(pades_load(NULL, NULL, NULL, p12, "wrong", err, sizeof err) == NULL,
		    "with the wrong password it does not");
		unsigned char *o2;
		size_t o2len;
		CHECK(prod != NULL && pades_sign(a, pdf, len, prod, &info, &o2, &o2len, err, sizeof err) == 0 &&
		    cms_valid(o2, o2len, ca), "and signs a certificate that verifies under its CA");
		pades_free(prod);
	}
	CHECK(pades_load(arena_printf(a, "%s/0123456789abcdef.pades.crt", dir),
	    arena_printf(a, "%s/fedcba9876543210.pades.key", dir), NULL, NULL, NULL, err, sizeof err) == NULL,
	    "a key that does not belong to the certificate is refused");
	pades_free(id);
	run(a, arena_printf(a, "rm -rf %s", dir));
	arena_free(a);
	CHECK_DONE();
}
