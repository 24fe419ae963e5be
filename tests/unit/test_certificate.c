/* The certificate PDF: a holder's name in any European script prints and extracts exactly
 * as registered, a long name never leaves the page, the QR code scans, and the same
 * certificate always gives the same bytes (it is signed over them). Checks that need
 * poppler, qpdf or zbar are skipped when the tool is missing. */
#include "check.h"
#include "pdf/certificate.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FONT_DIR "/usr/share/fonts/truetype/dejavu/"
#define GOLDEN "tests/golden/certificate-zoe.pdf"
/* A4 landscape is 841.89 pt wide, with 20 mm margins. */
#define LEFT_MARGIN 56.69
#define RIGHT_MARGIN (841.89 - 56.69)

static char dir[] = "/tmp/test_certificate.XXXXXX";

static struct cert_doc zoe(void)
{
	return (struct cert_doc){
		.number = "ESNR-L1-2027-0001",
		.holder_name = "Zoë Łukasiewicz-Ørsted",
		.qualification = "Level 1 certificate in neuroradiology",
		.level = "Level 1",
		.session_date = "3 May 2027",
		.session_place = "Vienna, ESNR office",
		.issue_date = "26 November 2026",
		.key_id = "3f9a0c2b7d4e8a61",
		.signed_by = "European School of Neuroradiology",
		.qr_text = "https://esonr.example.org/verify/ESNR-L1-2027-0001",
		.creation_date = "2026-11-26T08:00:00Z",
		.signatory_1 = "Prof. Anna Schmidt",
		.signatory_1_role = "Chair, ESoNR Examination Board",
		.signatory_2 = "Dr. Jean Dupont",
		.signatory_2_role = "Director, European School of Neuroradiology",
	};
}

static int have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
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

/* Everything a command prints on stdout. */
static const char *run(struct arena *a, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return "";
	size_t cap = 1 << 16, n = 0;
	char *out = arena_alloc(a, cap);
	for (;;) {
		size_t got = fread(out + n, 1, cap - 1 - n, p);
		n += got;
		if (got == 0)
			break;
		if (n == cap - 1) {
			char *bigger = arena_alloc(a, cap * 2);
			memcpy(bigger, out, n);
			out = bigger;
			cap *= 2;
		}
	}
	out[n] = '\0';
	pclose(p);
	return out;
}

static int render(struct arena *a, const struct cert_doc *d, unsigned char **pdf, size_t *len)
{
	char err[256];
	if (cert_render(a, d, pdf, len, err, sizeof err) == 0)
		return 0;
	printf("# cert_render: %s\n", err);
	return -1;
}

static const char *render_error(struct arena *a, const struct cert_doc *d)
{
	unsigned char *pdf;
	size_t len;
	char err[256];
	return cert_render(a, d, &pdf, &len, err, sizeof err) == 0 ? "(rendered)" : arena_strdup(a, err);
}

/* Renders d and gives pdftotext's text of it, or NULL. */
static const char *text_of(struct arena *a, const struct cert_doc *d, const char *name)
{
	unsigned char *pdf;
	size_t len;
	const char *path;
	if (render(a, d, &pdf, &len) != 0 || (path = save(a, name, pdf, len)) == NULL)
		return NULL;
	return run(a, arena_printf(a, "pdftotext -q -enc UTF-8 '%s' -", path));
}

/* 1 when every word pdftotext -bbox finds lies between the side margins. */
static int within_margins(struct arena *a, const char *path)
{
	const char *html = run(a, arena_printf(a, "pdftotext -q -bbox '%s' -", path));
	int words = 0;
	for (const char *p = html; (p = strstr(p, "<word xMin=\"")) != NULL; p++) {
		double x0, y0, x1;
		if (sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\"", &x0, &y0, &x1) != 3)
			return 0;
		if (x0 < LEFT_MARGIN - 0.5 || x1 > RIGHT_MARGIN + 0.5) {
			printf("# word at x %.1f..%.1f leaves the margins\n", x0, x1);
			return 0;
		}
		words++;
	}
	return words > 0;
}

static void text_checks(struct arena *a)
{
	CHECK(cert_text_problem(a, "Zoë Łukasiewicz-Ørsted Νίκος Παπαδόπουλος Анна Каренина") == NULL,
	    "Latin with diacritics, Greek and Cyrillic can be drawn");
	CHECK(cert_text_problem(a, "Ștefan Đorđević Gyöngyvér Šťastný Þórunn Ğülşen") == NULL,
	    "Romanian, Serbian Latin, Hungarian, Czech, Icelandic and Turkish can be drawn");
	CHECK(cert_text_problem(a, "Eve \xE2\x80\xAE Mallory") != NULL &&
	    strstr(cert_text_problem(a, "Eve \xE2\x80\xAE Mallory"), "U+202E RIGHT-TO-LEFT OVERRIDE") != NULL,
	    "a direction override cannot go on a certificate, though the font has a glyph for it");
	CHECK_STR(cert_text_problem(a, "Li 中文"), "the font cannot draw U+4E2D '中'",
	    "a CJK character is named");
	CHECK_STR(cert_text_problem(a, "Zoë 🧠"), "the font cannot draw U+1F9E0 '🧠'",
	    "an emoji is named");
	CHECK_STR(cert_text_problem(a, "Ana\tMaria"), "the font cannot draw the control character U+0009",
	    "a control character is refused");
	CHECK_STR(cert_text_problem(a, "Zo\xC3"), "the text is not valid UTF-8",
	    "broken UTF-8 is refused");
}

static void error_checks(struct arena *a)
{
	struct cert_doc d = zoe();
	d.holder_name = "Wang 中";
	CHECK_STR(render_error(a, &d), "certificate holder_name: the font cannot draw U+4E2D '中'",
	    "a name the font cannot draw is refused, naming the character");
	d = zoe();
	d.signatory_2 = NULL;
	CHECK_STR(render_error(a, &d), "certificate signatory_2: it is empty", "a missing field is named");
	d = zoe();
	d.creation_date = "26 November 2026";
	CHECK(strstr(render_error(a, &d), "creation_date") != NULL, "a malformed creation date is refused");
	d = zoe();
	char *huge = arena_alloc(a, 4001);
	memset(huge, 'x', 4000);
	huge[4000] = '\0';
	d.qr_text = huge;
	CHECK_STR(render_error(a, &d), "cannot encode 4000 bytes as a QR code: too long",
	    "a text too long for any QR code is refused");
	d = zoe();
	d.level = NULL;
	CHECK_STR(render_error(a, &d), "(rendered)", "the level line is optional");
}

static void golden_check(const unsigned char *pdf, size_t len)
{
	if (getenv("UPDATE_GOLDEN") != NULL) {
		FILE *f = fopen(GOLDEN, "wb");
		int ok = f != NULL && fwrite(pdf, 1, len, f) == len;
		ok = f != NULL && fclose(f) == 0 && ok;
		CHECK(ok, "golden file rewritten: " GOLDEN);
		return;
	}
	FILE *f = fopen(GOLDEN, "rb");
	unsigned char *want = malloc(len + 1);
	size_t n = f ? fread(want, 1, len + 1, f) : 0;
	if (f)
		fclose(f);
	int same = f != NULL && n == len && memcmp(want, pdf, len) == 0;
	free(want);
	if (!same) {
		FILE *o = fopen("build/certificate-zoe.actual.pdf", "wb");
		if (o) {
			fwrite(pdf, 1, len, o);
			fclose(o);
		}
		printf("# differs from %s: see build/certificate-zoe.actual.pdf, tests/golden/README.md\n",
		    GOLDEN);
	}
	CHECK(same, "the certificate matches the golden file byte for byte");
}

static void tool_checks(struct arena *a, const char *path)
{
	if (!have("pdftotext")) {
		printf("ok - pdftotext checks # SKIP pdftotext not installed\n");
	} else {
		const char *names[] = { "Zoë Łukasiewicz-Ørsted", "Νίκος Παπαδόπουλος", "Анна Каренина" };
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			struct cert_doc d = zoe();
			d.holder_name = names[i];
			const char *text = text_of(a, &d, "name.pdf");
			CHECK(text != NULL && strstr(text, names[i]) != NULL,
			    arena_printf(a, "pdftotext shows the name exactly: %s", names[i]));
		}
		const char *text = run(a, arena_printf(a, "pdftotext -q -enc UTF-8 '%s' -", path));
		CHECK(strstr(text, "European School of Neuroradiology (ESoNR)") != NULL &&
		    strstr(text, "Session of 3 May 2027, Vienna, ESNR office") != NULL &&
		    strstr(text, "Issued on 26 November 2026") != NULL &&
		    strstr(text, "ESNR-L1-2027-0001") != NULL && strstr(text, "3f9a0c2b7d4e8a61") != NULL &&
		    strstr(text, "Director, European School of Neuroradiology") != NULL,
		    "pdftotext shows title, session, issue date, number, key and signatories");

		/* 200 characters, the longest name an account may hold: shrinks, wraps, fits. */
		struct cert_doc d = zoe();
		d.holder_name = "Maria-Magdalena Wilhelmina Theodora Alexandra Konstantina "
		    "von Hohenzollern-Sigmaringen-Łukasiewicz-Ørsted de la Cruz y Fernández "
		    "Papadopoulou Karenina Smith-Jones Müller-Lüdenscheidt Ivanova Ω";
		unsigned char *pdf;
		size_t len;
		const char *long_path = NULL;
		if (render(a, &d, &pdf, &len) == 0)
			long_path = save(a, "long.pdf", pdf, len);
		CHECK(long_path != NULL && within_margins(a, long_path),
		    "a 200-character name wraps and stays within the margins");
		d.holder_name = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft"
		    "schaferswessenschafewarenwohlgepflegeundsorgfaltigkeitbeschutzenvonangreifen";
		long_path = NULL;
		if (render(a, &d, &pdf, &len) == 0)
			long_path = save(a, "word.pdf", pdf, len);
		CHECK(long_path != NULL && within_margins(a, long_path),
		    "a name with no space or hyphen still stays within the margins");
	}

	if (!have("pdfinfo")) {
		printf("ok - pdfinfo checks # SKIP pdfinfo not installed\n");
	} else {
		const char *info = run(a, arena_printf(a, "pdfinfo -isodates '%s' 2>/dev/null", path));
		CHECK(strstr(info, "Title:           ESoNR certificate ESNR-L1-2027-0001\n") != NULL &&
		    strstr(info, "Author:          European Society of Neuroradiology\n") != NULL &&
		    strstr(info, "Subject:         Level 1 certificate in neuroradiology — Zoë Łukasiewicz-Ørsted\n") != NULL &&
		    strstr(info, "Creator:         ESoNR portal\n") != NULL &&
		    strstr(info, "CreationDate:    2026-11-26T08:00:00Z\n") != NULL,
		    "document information: title, author, subject, creator, creation date");
		CHECK(strstr(info, "Pages:           1\n") != NULL &&
		    strstr(info, "Page size:       841.89 x 595.276 pts (A4)") != NULL,
		    "one A4 landscape page");
	}

	if (!have("qpdf")) {
		printf("ok - qpdf check # SKIP qpdf not installed\n");
	} else {
		const char *out = run(a, arena_printf(a, "qpdf --check '%s' 2>&1", path));
		CHECK(strstr(out, "No syntax or stream encoding errors found") != NULL, "qpdf --check passes");
	}

	if (!have("pdftoppm") || !have("zbarimg")) {
		printf("ok - QR checks # SKIP pdftoppm or zbarimg not installed\n");
	} else {
		const char *out = run(a, arena_printf(a, "cd '%s' && pdftoppm -r 150 -png '%s' page 2>/dev/null && "
		    "zbarimg -q --raw page-1.png 2>/dev/null", dir, path));
		CHECK_STR(out, "https://esonr.example.org/verify/ESNR-L1-2027-0001\n",
		    "the QR code scans at 150 dpi to the verification URL");
		/* A signed record in the fragment makes a denser code. */
		struct cert_doc d = zoe();
		d.qr_text = "https://esonr.example.org/verify/ESNR-L1-2027-0001#v1."
		    "RVNOUi1MMS0yMDI3LTAwMDF8Wm_Dq8KgxYF1a2FzaWV3aWN6LcOYcnN0ZWR8TGV2ZWwgMSBjZXJ0aWZp"
		    "Y2F0ZSBpbiBuZXVyb3JhZGlvbG9neXwyMDI3LTA1LTAzfDNmOWEwYzJiN2Q0ZThhNjE."
		    "q5yJ3kV0d0FpbC1zaWduYXR1cmUtaGVyZS1pcy1leGFjdGx5LTg2LWNoYXJhY3RlcnMtbG9uZy1vaw";
		unsigned char *pdf;
		size_t len;
		const char *p = render(a, &d, &pdf, &len) == 0 ? save(a, "signed.pdf", pdf, len) : NULL;
		out = p == NULL ? "" : run(a, arena_printf(a, "cd '%s' && pdftoppm -r 150 -png '%s' "
		    "signed 2>/dev/null && zbarimg -q --raw signed-1.png 2>/dev/null", dir, p));
		CHECK_STR(out, arena_printf(a, "%s\n", d.qr_text),
		    "a QR code with a signed record still scans at 150 dpi");
	}
}

/* The portal forks its workers after start-up: a child must render the same bytes through
 * font files it opened itself. */
static void fork_check(struct arena *a, const unsigned char *want, size_t want_len)
{
	int fd[2];
	if (pipe(fd) != 0) {
		CHECK(0, "pipe for the fork check");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		struct cert_doc d = zoe();
		unsigned char *pdf;
		size_t len, off = 0;
		close(fd[0]);
		if (render(a, &d, &pdf, &len) != 0)
			_exit(1);
		while (off < len) {
			ssize_t w = write(fd[1], pdf + off, len - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fd[1]);
	unsigned char *got = arena_alloc(a, want_len + 1);
	size_t n = 0;
	ssize_t r;
	while (n <= want_len && (r = read(fd[0], got + n, want_len + 1 - n)) > 0)
		n += (size_t)r;
	close(fd[0]);
	int status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == want_len &&
	    memcmp(got, want, want_len) == 0, "a forked worker renders the same bytes");
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
	struct arena *a = arena_new();
	char err[256];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	CHECK_STR(cert_text_problem(a, "Zoë"), "the certificate fonts are not loaded",
	    "nothing can be drawn before the fonts are loaded");
	CHECK(cert_fonts_init("/nonexistent/x.ttf", FONT_DIR "DejaVuSerif-Bold.ttf", err, sizeof err) == -1 &&
	    strstr(err, "/nonexistent/x.ttf") != NULL, "a missing font file is named");
	double t0 = now();
	int loaded = cert_fonts_init(FONT_DIR "DejaVuSerif.ttf", FONT_DIR "DejaVuSerif.ttf" /* one face, as the portal uses it */,
	    err, sizeof err) == 0;
	double t_init = now() - t0;
	CHECK(loaded, "the certificate fonts load");
	if (!loaded) {
		printf("# %s\n", err);
		CHECK_DONE();
	}
	text_checks(a);

	/* Another certificate first: what one render leaves behind must not reach the next. */
	struct cert_doc d = zoe();
	d.holder_name = "Анна Каренина";
	unsigned char *other, *one, *two;
	size_t other_len, one_len, two_len;
	CHECK(render(a, &d, &other, &other_len) == 0, "a Cyrillic name renders");
	d = zoe();
	CHECK(render(a, &d, &one, &one_len) == 0 && render(a, &d, &two, &two_len) == 0,
	    "the certificate renders twice");
	CHECK(one_len == two_len && memcmp(one, two, one_len) == 0, "two renders are byte-identical");
	CHECK(one_len != other_len || memcmp(one, other, one_len) != 0,
	    "another holder, another document");
	CHECK(one_len > 8 && memcmp(one, "%PDF-", 5) == 0, "the output starts with %PDF-");
	CHECK(one_len > 8 && (memcmp(one + one_len - 5, "%%EOF", 5) == 0 ||
	    memcmp(one + one_len - 6, "%%EOF\n", 6) == 0), "the output ends with %%EOF");
	golden_check(one, one_len);
	fork_check(a, one, one_len);
	error_checks(a);

	const char *path = save(a, "zoe.pdf", one, one_len);
	CHECK(path != NULL, "the certificate is written to a file");
	if (path != NULL)
		tool_checks(a, path);

	enum { RUNS = 20 };
	t0 = now();
	for (int i = 0; i < RUNS; i++) {
		unsigned char *pdf;
		size_t len;
		render(a, &d, &pdf, &len);
		arena_reset(a);
	}
	printf("# fonts loaded in %.1f ms; %.1f ms per certificate (%d renders, %zu bytes)\n",
	    t_init * 1000, (now() - t0) * 1000 / RUNS, RUNS, one_len);

	if (getenv("KEEP_TEST_FILES") == NULL)
		run(a, arena_printf(a, "rm -rf '%s'", dir));
	else
		printf("# test files kept in %s\n", dir);
	arena_free(a);
	CHECK_DONE();
}
