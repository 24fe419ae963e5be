/* Certificate generation and verification time per certificate (make bench). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdf/certificate.h"
#include "sign/pades.h"
#include "sign/signing.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	char err[256], dir[] = "/tmp/esonr-bench-XXXXXX";
	struct arena *a = arena_new();
	struct signing_key k;
	if (mkdtemp(dir) == NULL || key_generate(dir, &k, err, sizeof err) != 0 ||
	    cert_fonts_init(argc > 2 ? argv[2] : "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
	    argc > 3 ? argv[3] : "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", err, sizeof err) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	/* The PDF signature as the signer makes it, with a development certificate. */
	struct pades_identity *pades = NULL;
	if (pades_dev_identity_create(dir, k.id, err, sizeof err) == 0)
		pades = pades_load(arena_printf(a, "%s/%s.pades.crt", dir, k.id), arena_printf(a, "%s/%s.pades.key", dir, k.id),
		    arena_printf(a, "%s/ca.crt", dir), NULL, NULL, err, sizeof err);
	if (pades == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	struct pades_info info = { "2026-11-26T08:00:00Z", "Certificate", "Vienna", NULL };
	static const char *const names[] = { "Zoë Łukasiewicz-Ørsted", "Νίκος Παπαδόπουλος",
		"Анна Каренина", "Jean-Baptiste de La Fontaine-Müller" };
	unsigned char *pdf = NULL, *signed_pdf = NULL;
	size_t len = 0, slen = 0;
	double t0 = now();
	for (int i = 0; i < n; i++) {
		char number[32];
		snprintf(number, sizeof number, "ESNR-L1-2027-%04d", i + 1);
		const char *record = qr_record_sign(a, &k, number, names[i % 4],
		    "Level 1 certificate in neuroradiology", "2027-05-03");
		struct cert_doc d = {
			.number = number, .holder_name = names[i % 4],
			.qualification = "Level 1 certificate in neuroradiology", .level = "Level 1",
			.session_date = "3 May 2027", .session_place = "Vienna, ESNR office",
			.issue_date = "26 November 2026", .key_id = k.id, .signed_by = "European School of Neuroradiology",
			.qr_text = arena_printf(a, "https://portal.esnr.org/verify/%s#%s", number, record),
			.creation_date = "2026-11-26T08:00:00Z",
			.signatory_1 = "President of the ESNR", .signatory_1_role = "European Society of Neuroradiology",
			.signatory_2 = "Director of the ESoNR", .signatory_2_role = "European School of Neuroradiology",
		};
		if (cert_render(a, &d, &pdf, &len, err, sizeof err) != 0 ||
		    pades_sign(a, pdf, len, pades, &info, &pdf, &len, err, sizeof err) != 0 ||
		    pdf_sign(a, pdf, len, &k, number, "2026-11-26T08:00:00Z", &signed_pdf, &slen) != 0) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		arena_reset(a);
		/* Keep the last one alive past the reset for the verification loop. */
		if (i == n - 1) {
			d.number = number;
			cert_render(a, &d, &pdf, &len, err, sizeof err);
			pades_sign(a, pdf, len, pades, &info, &pdf, &len, err, sizeof err);
			pdf_sign(a, pdf, len, &k, number, "2026-11-26T08:00:00Z", &signed_pdf, &slen);
		}
	}
	double gen = (now() - t0) / n;

	int m = n * 20, ok = 0;
	t0 = now();
	for (int i = 0; i < m; i++) {
		struct pdf_signature s;
		const char *why;
		ok += pdf_signature_parse(signed_pdf, slen, &s, &why) == 0 && pdf_signature_valid(signed_pdf, &s, k.pk);
	}
	double ver = (now() - t0) / m;
	printf("certificate generation (render + PDF signature + Ed25519): %.2f ms per certificate (%d certificates, %zu bytes each)\n",
	    gen * 1000, n, slen);
	printf("certificate verification (parse + Ed25519 check): %.3f ms per certificate (%d checks, %d valid)\n",
	    ver * 1000, m, ok);
	pades_free(pades);
	static const char *const files[] = { "%s/%s.key", "%s/%s.pub", "%s/%s.pades.key", "%s/%s.pades.crt" };
	char path[512];
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, files[i], dir, k.id);
		remove(path);
	}
	snprintf(path, sizeof path, "%s/ca.key", dir);
	remove(path);
	snprintf(path, sizeof path, "%s/ca.crt", dir);
	remove(path);
	remove(dir);
	arena_free(a);
	return ok == m ? 0 : 1;
}
