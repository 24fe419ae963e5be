#include "sign/pades.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/buf.h"
#include "sign/signing.h"

/* Room for the DER of the CMS: a P-256 signature, two certificates and the attributes
 * take about 2 KB; a production chain of four certificates still fits. */
#define CONTENTS_BYTES 8192
#define BYTE_RANGE_WIDTH 10

struct pades_identity {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
	char name[256];
};

static void openssl_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof buf);
	snprintf(err, errlen, "%s%s%s", what, buf[0] ? ": " : "", buf);
	ERR_clear_error();
}

/* ---------------------------------------------------------------- the identity */

static EVP_PKEY *read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	return k;
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	return x;
}


static STACK_OF(X509) *read_chain(const char *path)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	if (path == NULL || path[0] == '\0')
		return chain;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		sk_X509_free(chain);
		return NULL;
	}
	X509 *x;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(chain, x);
	ERR_clear_error(); /* the end of the file reads as an error */
	fclose(f);
	return chain;
}

struct pades_identity *pades_load(const char *cert_pem, const char *key_pem, const char *chain_pem,
    const char *p12, const char *p12_password, char *err, size_t errlen)
{
	struct pades_identity *id = calloc(1, sizeof *id);
	if (id == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (p12 != NULL && p12[0] != '\0') {
		FILE *f = fopen(p12, "rb");
		PKCS12 *bundle = f ? d2i_PKCS12_fp(f, NULL) : NULL;
		if (f)
			fclose(f);
		if (bundle == NULL || !PKCS12_parse(bundle, p12_password ? p12_password : "", &id->key, &id->cert,
		    &id->chain)) {
			openssl_error(err, errlen, "the PKCS#12 signing certificate cannot be read");
			PKCS12_free(bundle);
			pades_free(id);
			return NULL;
		}
		PKCS12_free(bundle);
		if (id->chain == NULL)
			id->chain = sk_X509_new_null();
	} else {
		id->cert = cert_pem ? read_cert(cert_pem) : NULL;
		id->key = key_pem ? read_key(key_pem) : NULL;
		id->chain = read_chain(chain_pem);
		if (id->cert == NULL || id->key == NULL || id->chain == NULL) {
			snprintf(err, errlen, "the signing certificate %s or its key %s cannot be read", cert_pem, key_pem);
			ERR_clear_error();
			pades_free(id);
			return NULL;
		}
	}
	if (X509_check_private_key(id->cert, id->key) != 1) {
		openssl_error(err, errlen, "the signing key does not belong to the signing certificate");
		pades_free(id);
		return NULL;
	}
	X509_NAME_get_text_by_NID(X509_get_subject_name(id->cert), NID_commonName, id->name, sizeof id->name);
	return id;
}

void pades_free(struct pades_identity *id)
{
	if (id == NULL)
		return;
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	sk_X509_pop_free(id->chain, X509_free);
	free(id);
}

const char *pades_signer_name(const struct pades_identity *id)
{
	return id->name;
}

/* ---------------------------------------------------------------- reading libharu's output */

static const unsigned char *find(const unsigned char *h, size_t hlen, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = from; n <= hlen && i + n <= hlen; i++)
		if (memcmp(h + i, needle, n) == 0)
			return h + i;
	return NULL;
}


/* The unsigned number after "KEY " at p (within end); 0 and *ok 0 when there is none. */
static unsigned long number_after(const unsigned char *p, const unsigned char *end, int *ok)
{
	while (p < end && (*p == ' ' || *p == '\r' || *p == '\n'))
		p++;
	unsigned long v = 0;
	int digits = 0;
	while (p < end && *p >= '0' && *p <= '9' && digits < 12) {
		v = v * 10 + (unsigned long)(*p - '0');
		p++;
		digits++;
	}
	*ok = digits > 0 && digits < 12;
	return v;
}

/* "/Key N 0 R" inside [from, end): N, or 0. */
static unsigned long ref_of(const unsigned char *pdf, size_t from, size_t end, const char *key)
{
	const unsigned char *k = find(pdf, end, from, key);
	int ok;
	if (k == NULL)
		return 0;
	unsigned long n = number_after(k + strlen(key), pdf + end, &ok);
	return ok ? n : 0;
}

/* The dictionary of object num: [*at, *end) spans "<<" to the matching ">>". 0 ok. */
static int object_dict(const unsigned char *pdf, size_t len, size_t xref, unsigned long size,
    unsigned long num, size_t *at, size_t *end)
{
	const unsigned char *p = find(pdf, len, xref, "xref");
	int ok;
	if (p == NULL || num == 0 || num >= size)
		return -1;
	p += 4;
	while (p < pdf + len && (*p == '\r' || *p == '\n'))
		p++;
	/* "FIRST COUNT" on its own line, then the entries, 20 bytes each. */
	unsigned long first = number_after(p, pdf + len, &ok);
	if (!ok || first > num)
		return -1;
	const unsigned char *line = find(pdf, len, (size_t)(p - pdf), "\n");
	if (line == NULL)
		return -1;
	size_t entry = (size_t)(line + 1 - pdf) + (size_t)(num - first) * 20;
	if (entry + 20 > len)
		return -1;
	unsigned long off = number_after(pdf + entry, pdf + entry + 10, &ok);
	if (!ok || off >= len || pdf[entry + 17] != 'n')
		return -1;
	char head[32];
	int hn = snprintf(head, sizeof head, "%lu 0 obj", num);
	if (off + (size_t)hn > len || memcmp(pdf + off, head, (size_t)hn) != 0)
		return -1;
	const unsigned char *open = find(pdf, len, off + (size_t)hn, "<<");
	if (open == NULL || (size_t)(open - pdf) > off + (size_t)hn + 4)
		return -1;
	int depth = 0;
	for (size_t i = (size_t)(open - pdf); i + 1 < len; i++) {
		if (pdf[i] == '<' && pdf[i + 1] == '<') {
			depth++;
			i++;
		} else if (pdf[i] == '>' && pdf[i + 1] == '>') {
			if (--depth == 0) {
				*at = (size_t)(open - pdf);
				*end = i + 2;
				return 0;
			}
			i++;
		} else if (pdf[i] == '(' || pdf[i] == 's') {
			/* strings and streams are not expected in a catalog or page dictionary */
			if (pdf[i] == '(' || (i + 6 < len && memcmp(pdf + i, "stream", 6) == 0))
				return -1;
		}
	}
	return -1;
}

int pades_read_layout(const unsigned char *pdf, size_t len, struct pades_layout *l, const char **why)
{
	memset(l, 0, sizeof *l);
	*why = "the PDF is not laid out as libharu writes it";
	const unsigned char *sx = bytes_find_last(pdf, len, "startxref");
	int ok;
	if (sx == NULL)
		return -1;
	l->prev_xref = number_after(sx + 9, pdf + len, &ok);
	if (!ok || l->prev_xref >= len)
		return -1;
	const unsigned char *tr = find(pdf, (size_t)(sx - pdf), l->prev_xref, "trailer");
	if (tr == NULL)
		return -1;
	size_t t0 = (size_t)(tr - pdf), t1 = (size_t)(sx - pdf);
	l->root = ref_of(pdf, t0, t1, "/Root ");
	l->info = ref_of(pdf, t0, t1, "/Info ");
	const unsigned char *sz = find(pdf, t1, t0, "/Size ");
	l->size = sz ? number_after(sz + 6, pdf + t1, &ok) : 0;
	if (sz == NULL || !ok || l->root == 0 || l->size < 2 || l->size > 100000)
		return -1;
	const unsigned char *idk = find(pdf, t1, t0, "/ID");
	if (idk != NULL) {
		const unsigned char *o = find(pdf, t1, (size_t)(idk - pdf), "[");
		const unsigned char *c = o ? find(pdf, t1, (size_t)(o - pdf), "]") : NULL;
		if (c == NULL || o - idk > 4)
			return -1;
		l->id = (const char *)o;
		l->id_len = (size_t)(c + 1 - o);
	}
	if (object_dict(pdf, len, l->prev_xref, l->size, l->root, &l->root_at, &l->root_end) != 0)
		return -1;
	unsigned long pages = ref_of(pdf, l->root_at, l->root_end, "/Pages ");
	size_t pa, pe;
	if (pages == 0 || object_dict(pdf, len, l->prev_xref, l->size, pages, &pa, &pe) != 0)
		return -1;
	const unsigned char *kids = find(pdf, pe, pa, "/Kids");
	const unsigned char *br = kids ? find(pdf, pe, (size_t)(kids - pdf), "[") : NULL;
	l->page = br ? number_after(br + 1, pdf + pe, &ok) : 0;
	if (br == NULL || !ok ||
	    object_dict(pdf, len, l->prev_xref, l->size, l->page, &l->page_at, &l->page_end) != 0)
		return -1;
	if (find(pdf, l->root_end, l->root_at, "/AcroForm") || find(pdf, l->page_end, l->page_at, "/Annots")) {
		*why = "the PDF already has a form or annotations";
		return -1;
	}
	*why = NULL;
	return 0;
}

/* ---------------------------------------------------------------- writing the revision */

/* A PDF text string: (literal) for printable ASCII, else <FEFF…> UTF-16BE. */
static void text_string(struct buf *b, const char *s)
{
	int ascii = 1;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		ascii &= *p >= 0x20 && *p < 0x7f;
	if (ascii) {
		buf_append(b, "(", 1);
		for (const char *p = s; *p; p++) {
			if (*p == '(' || *p == ')' || *p == '\\')
				buf_append(b, "\\", 1);
			buf_append(b, p, 1);
		}
		buf_append(b, ")", 1);
		return;
	}
	buf_printf(b, "<FEFF");
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned long cp;
		int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		cp = n == 1 ? *p : (unsigned long)(*p & (0xFF >> (n + 1)));
		for (int i = 1; i < n && p[i]; i++)
			cp = cp << 6 | (p[i] & 0x3F);
		for (int i = 0; i < n && *p; i++)
			p++;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			buf_printf(b, "%04lX%04lX", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
		} else {
			buf_printf(b, "%04lX", cp);
		}
	}
	buf_append(b, ">", 1);
}

/* "2026-12-01T22:10:05Z" → D:20261201221005Z */
static const char *pdf_date(struct arena *a, const char *iso)
{
	if (iso == NULL || strlen(iso) != 20)
		return "D:19700101000000Z";
	return arena_printf(a, "D:%.4s%.2s%.2s%.2s%.2s%.2sZ", iso, iso + 5, iso + 8, iso + 11, iso + 14, iso + 17);
}

struct der_item {
	unsigned char *der;
	int len;
};

/* DER orders a SET OF by its elements' encodings (X.690 11.6). */
static int der_order(const void *x, const void *y)
{
	const struct der_item *a = x, *b = y;
	int c = memcmp(a->der, b->der, (size_t)(a->len < b->len ? a->len : b->len));
	return c != 0 ? c : a->len - b->len;
}

/* PAdES baseline (ETSI EN 319 142-1) carries the signing time in /M and wants no
 * signing-time attribute, which OpenSSL 3.0's CMS_final always adds: it is removed and the
 * signed attributes (a DER SET, as signed) are signed again. 0 ok. */
static int drop_signing_time(CMS_SignerInfo *si, EVP_PKEY *key)
{
	int loc = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	if (loc < 0)
		return 0;
	X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, loc));
	int n = CMS_signed_get_attr_count(si), ok = n > 0;
	struct der_item items[16];
	size_t total = 0;
	if (n > (int)(sizeof items / sizeof *items))
		return -1;
	for (int i = 0; i < n; i++) {
		items[i].der = NULL;
		items[i].len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &items[i].der);
		ok = ok && items[i].len > 0;
		total += items[i].len > 0 ? (size_t)items[i].len : 0;
	}
	qsort(items, (size_t)n, sizeof *items, der_order);
	/* SET tag, definite length (long form: the attributes take a few hundred bytes). */
	unsigned char *set = ok ? OPENSSL_malloc(total + 6) : NULL;
	size_t at = 0;
	if (set != NULL) {
		set[at++] = 0x31;
		if (total < 128) {
			set[at++] = (unsigned char)total;
		} else if (total < 256) {
			set[at++] = 0x81;
			set[at++] = (unsigned char)total;
		} else {
			set[at++] = 0x82;
			set[at++] = (unsigned char)(total >> 8);
			set[at++] = (unsigned char)total;
		}
		for (int i = 0; i < n; i++) {
			memcpy(set + at, items[i].der, (size_t)items[i].len);
			at += (size_t)items[i].len;
		}
	}
	for (int i = 0; i < n; i++)
		OPENSSL_free(items[i].der);
	EVP_MD_CTX *md = set ? EVP_MD_CTX_new() : NULL;
	size_t siglen = 0;
	unsigned char *sig = NULL;
	ok = md != NULL && total < 65536 && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, NULL, &siglen, set, at) == 1 && (sig = OPENSSL_malloc(siglen)) != NULL &&
	    EVP_DigestSign(md, sig, &siglen, set, at) == 1 &&
	    ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)siglen) == 1;
	OPENSSL_free(sig);
	OPENSSL_free(set);
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static int cms_sign(const unsigned char *data, size_t n, const struct pades_identity *id,
    unsigned char **der, int *derlen, char *err, size_t errlen)
{
	int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
	BIO *in = BIO_new_mem_buf(data, (int)n);
	CMS_ContentInfo *cms = in ? CMS_sign(NULL, NULL, id->chain, NULL, flags) : NULL;
	CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, id->cert, id->key, EVP_sha256(), flags) : NULL;
	/* signing-certificate-v2 (RFC 5035): binds the signature to this very certificate. */
	ESS_SIGNING_CERT_V2 *sc = si ? OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), id->cert, NULL, 0) : NULL;
	unsigned char *scder = NULL;
	int sclen = sc ? i2d_ESS_SIGNING_CERT_V2(sc, &scder) : -1;
	int ok = sclen > 0 &&
	    CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE, scder, sclen) &&
	    CMS_final(cms, in, NULL, flags) == 1 && drop_signing_time(si, id->key) == 0;
	*der = NULL;
	*derlen = ok ? i2d_CMS_ContentInfo(cms, der) : -1;
	if (*derlen <= 0)
		openssl_error(err, errlen, "the CMS signature could not be made");
	OPENSSL_free(scder);
	ESS_SIGNING_CERT_V2_free(sc);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return *derlen > 0 ? 0 : -1;
}

int pades_sign(struct arena *a, const unsigned char *pdf, size_t len, const struct pades_identity *id,
    const struct pades_info *info, unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	struct pades_layout l;
	const char *why;
	if (pades_read_layout(pdf, len, &l, &why) != 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	unsigned long widget = l.size, sig = l.size + 1;
	struct buf b;
	buf_init(&b, a);
	buf_append(&b, (const char *)pdf, len);
	if (pdf[len - 1] != '\n')
		buf_append(&b, "\n", 1);

	size_t off_root = b.len;
	buf_printf(&b, "%lu 0 obj\n", l.root);
	buf_append(&b, (const char *)pdf + l.root_at, l.root_end - l.root_at - 2);
	buf_printf(&b, "/AcroForm << /Fields [%lu 0 R] /SigFlags 3 >>\n>>\nendobj\n", widget);
	size_t off_page = b.len;
	buf_printf(&b, "%lu 0 obj\n", l.page);
	buf_append(&b, (const char *)pdf + l.page_at, l.page_end - l.page_at - 2);
	buf_printf(&b, "/Annots [%lu 0 R]\n>>\nendobj\n", widget);
	size_t off_widget = b.len;
	/* An invisible signature field: the page says in words who signed and where to check. */
	buf_printf(&b, "%lu 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig /T (ESNR signature) /F 132"
	    " /Rect [0 0 0 0] /P %lu 0 R /V %lu 0 R >>\nendobj\n", widget, l.page, sig);
	size_t off_sig = b.len;
	buf_printf(&b, "%lu 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n"
	    "/ByteRange [0 ", sig);
	size_t range_at = b.len;
	buf_printf(&b, "%*s]\n/Contents <", 3 * (BYTE_RANGE_WIDTH + 1) - 1, "");
	size_t contents_at = b.len - 1;
	for (size_t i = 0; i < 2 * CONTENTS_BYTES; i++)
		buf_append(&b, "0", 1);
	buf_append(&b, ">", 1);
	size_t contents_end = b.len;
	buf_printf(&b, "\n/M (%s) /Name ", pdf_date(a, info->signed_at));
	text_string(&b, id->name);
	buf_printf(&b, " /Reason ");
	text_string(&b, info->reason);
	buf_printf(&b, " /Location ");
	text_string(&b, info->location);
	if (info->contact != NULL) {
		buf_printf(&b, " /ContactInfo ");
		text_string(&b, info->contact);
	}
	buf_printf(&b, " >>\nendobj\n");

	size_t xref = b.len;
	unsigned long nums[4] = { l.root, l.page, widget, sig };
	size_t offs[4] = { off_root, off_page, off_widget, off_sig };
	/* Sorted, then one subsection per run of consecutive numbers. */
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			if (nums[j] < nums[i]) {
				unsigned long tn = nums[i];
				size_t to = offs[i];
				nums[i] = nums[j], offs[i] = offs[j];
				nums[j] = tn, offs[j] = to;
			}
	buf_printf(&b, "xref\n");
	for (int i = 0; i < 4;) {
		int j = i;
		while (j + 1 < 4 && nums[j + 1] == nums[j] + 1)
			j++;
		buf_printf(&b, "%lu %d\n", nums[i], j - i + 1);
		for (int k = i; k <= j; k++)
			buf_printf(&b, "%010zu 00000 n\r\n", offs[k]);
		i = j + 1;
	}
	buf_printf(&b, "trailer\n<< /Size %lu /Root %lu 0 R", l.size + 2, l.root);
	if (l.info != 0)
		buf_printf(&b, " /Info %lu 0 R", l.info);
	if (l.id != NULL) {
		buf_printf(&b, " /ID ");
		buf_append(&b, l.id, l.id_len);
	}
	buf_printf(&b, " /Prev %lu >>\nstartxref\n%zu\n%%%%EOF\n", l.prev_xref, xref);

	/* Everything but the <…> of /Contents is signed. */
	unsigned char *file = (unsigned char *)b.data;
	size_t total = b.len;
	char range[3 * (BYTE_RANGE_WIDTH + 1)];
	snprintf(range, sizeof range, "%-*zu %-*zu %-*zu", BYTE_RANGE_WIDTH, contents_at, BYTE_RANGE_WIDTH,
	    contents_end, BYTE_RANGE_WIDTH, total - contents_end);
	memcpy(file + range_at, range, strlen(range));
	size_t signed_len = contents_at + (total - contents_end);
	unsigned char *covered = arena_alloc(a, signed_len);
	memcpy(covered, file, contents_at);
	memcpy(covered + contents_at, file + contents_end, total - contents_end);
	unsigned char *der;
	int derlen;
	if (cms_sign(covered, signed_len, id, &der, &derlen, err, errlen) != 0)
		return -1;
	if ((size_t)derlen > CONTENTS_BYTES) {
		snprintf(err, errlen, "the CMS signature (%d bytes) does not fit its placeholder", derlen);
		OPENSSL_free(der);
		return -1;
	}
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < derlen; i++) {
		file[contents_at + 1 + 2 * (size_t)i] = (unsigned char)hex[der[i] >> 4];
		file[contents_at + 2 + 2 * (size_t)i] = (unsigned char)hex[der[i] & 15];
	}
	OPENSSL_free(der);
	*out = file;
	*outlen = total;
	return 0;
}

/* ---------------------------------------------------------------- a development CA */

static int write_pem(const char *path, int is_key, void *obj, mode_t mode, char *err, size_t errlen)
{
	BIO *mem = BIO_new(BIO_s_mem());
	int ok = mem != NULL && (is_key ? PEM_write_bio_PrivateKey(mem, obj, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_bio_X509(mem, obj));
	char *data = NULL;
	long n = ok ? BIO_get_mem_data(mem, &data) : 0;
	int rc = n > 0 ? key_file_write(path, data, (size_t)n, mode, err, errlen) : -1;
	if (n <= 0)
		openssl_error(err, errlen, "PEM encoding failed");
	if (data != NULL)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(mem);
	return rc;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int ok = ext != NULL && X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key (subject CN cn) issued by issuer (NULL: self-signed). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int ca, long days)
{
	X509 *x = X509_new();
	unsigned char serial[16];
	if (x == NULL || RAND_bytes(serial, sizeof serial) != 1)
		goto fail;
	serial[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
	ASN1_INTEGER *sn = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	BN_free(bn);
	int ok = sn != NULL && X509_set_version(x, 2) && X509_set_serialNumber(x, sn);
	ASN1_INTEGER_free(sn);
	X509_NAME *name = X509_NAME_new();
	ok = ok && name != NULL &&
	    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"AT", -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	        (const unsigned char *)"European Society of Neuroradiology", -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) &&
	    X509_set_subject_name(x, name) &&
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), days * 86400) &&
	    X509_set_pubkey(x, key);
	X509_NAME_free(name);
	X509 *iss = issuer ? issuer : x;
	ok = ok && add_ext(x, iss, NID_subject_key_identifier, "hash") &&
	    add_ext(x, iss, NID_authority_key_identifier, "keyid:always") &&
	    (ca ? add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
	              add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign") :
	          add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE") &&
	              add_ext(x, iss, NID_key_usage, "critical,digitalSignature,nonRepudiation")) &&
	    X509_sign(x, issuer_key, EVP_sha256()) > 0;
	if (ok)
		return x;
fail:
	X509_free(x);
	return NULL;
}

int pades_dev_identity_create(const char *dir, const char *id, char *err, size_t errlen)
{
	char ca_key_path[1024], ca_crt_path[1024], key_path[1024], crt_path[1024];
	snprintf(ca_key_path, sizeof ca_key_path, "%s/ca.key", dir);
	snprintf(ca_crt_path, sizeof ca_crt_path, "%s/ca.crt", dir);
	snprintf(key_path, sizeof key_path, "%s/%s.pades.key", dir, id);
	snprintf(crt_path, sizeof crt_path, "%s/%s.pades.crt", dir, id);
	EVP_PKEY *ca_key = read_key(ca_key_path), *key = NULL;
	X509 *ca = read_cert(ca_crt_path), *cert = NULL;
	int rc = -1;
	ERR_clear_error();
	if (ca_key == NULL || ca == NULL) {
		/* Made once per stack, so that a browser or NSS database trusts it once. */
		EVP_PKEY_free(ca_key);
		X509_free(ca);
		ca_key = EVP_EC_gen("P-256");
		ca = ca_key ? make_cert(ca_key, "ESoNR development CA (not for production)", NULL, ca_key, 1, 3650) : NULL;
		if (ca == NULL) {
			openssl_error(err, errlen, "the development CA could not be made");
			goto done;
		}
		unlink(ca_key_path);
		unlink(ca_crt_path);
		if (write_pem(ca_key_path, 1, ca_key, 0600, err, errlen) != 0 ||
		    write_pem(ca_crt_path, 0, ca, 0644, err, errlen) != 0)
			goto done;
	}
	key = EVP_EC_gen("P-256");
	cert = key ? make_cert(key, "European School of Neuroradiology (development)", ca, ca_key, 0, 1095) : NULL;
	if (cert == NULL) {
		openssl_error(err, errlen, "the development signing certificate could not be made");
		goto done;
	}
	if (write_pem(key_path, 1, key, 0600, err, errlen) != 0 || write_pem(crt_path, 0, cert, 0644, err, errlen) != 0)
		goto done;
	rc = 0;
done:
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	X509_free(ca);
	X509_free(cert);
	return rc;
}
