#include "pdf/qr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <qrencode.h>

/* Version 13 (69 modules): beyond it level M's extra redundancy costs too much density. */
#define QR_WIDTH_FOR_M 69

static QRcode *encode(const char *text, QRecLevel level)
{
	/* Version 0: the smallest symbol that holds the text; 1: keep letter case. */
	return QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
}

int qr_encode(struct arena *a, const char *text, struct qr *out, char *err, size_t errlen)
{
	if (text == NULL || text[0] == '\0') {
		snprintf(err, errlen, "nothing to put in the QR code");
		return -1;
	}
	QRcode *code = encode(text, QR_ECLEVEL_M);
	if (code != NULL && code->width > QR_WIDTH_FOR_M) {
		QRcode_free(code);
		code = encode(text, QR_ECLEVEL_L);
	}
	if (code == NULL) {
		snprintf(err, errlen, "cannot encode %zu bytes as a QR code: %s", strlen(text),
		    errno == ERANGE ? "too long" : strerror(errno));
		return -1;
	}
	size_t n = (size_t)code->width * (size_t)code->width;
	out->width = code->width;
	out->dark = arena_alloc(a, n);
	/* Bit 0 of each of libqrencode's bytes is the module's colour; the rest is bookkeeping. */
	for (size_t i = 0; i < n; i++)
		out->dark[i] = code->data[i] & 1;
	QRcode_free(code);
	return 0;
}

float qr_side(const struct qr *q, float module)
{
	return (float)(q->width + 2 * QR_QUIET_MODULES) * module;
}

void qr_draw(HPDF_Page page, const struct qr *q, float x, float y, float module)
{
	float side = qr_side(q, module);
	/* The quiet zone is part of the code: nothing drawn earlier may show through it. */
	HPDF_Page_SetRGBFill(page, 1, 1, 1);
	HPDF_Page_Rectangle(page, x, y, side, side);
	HPDF_Page_Fill(page);

	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	float left = x + QR_QUIET_MODULES * module;
	for (int row = 0; row < q->width; row++) {
		const unsigned char *r = q->dark + (size_t)row * (size_t)q->width;
		/* Row 0 is the top one; PDF's y axis points up. */
		float top = y + side - (float)(QR_QUIET_MODULES + row) * module;
		/* One rectangle per run of dark modules: no seams inside a run, a smaller page. */
		for (int col = 0; col < q->width;) {
			if (!r[col]) {
				col++;
				continue;
			}
			int start = col;
			while (col < q->width && r[col])
				col++;
			HPDF_Page_Rectangle(page, left + (float)start * module, top - module,
			    (float)(col - start) * module, module);
		}
	}
	HPDF_Page_Fill(page);
}
