/* QR codes for certificates: encoded by libqrencode, drawn as vector squares on a libharu
 * page so that they print sharp at any size. */
#ifndef ESONR_QR_H
#define ESONR_QR_H
#include <stddef.h>
#include <hpdf.h>
#include "core/arena.h"

/* ISO/IEC 18004 asks for four light modules on every side for a reader to find the code. */
#define QR_QUIET_MODULES 4

struct qr {
	int width;		/* modules per side, quiet zone excluded */
	unsigned char *dark;	/* width * width, row 0 at the top; 1 = dark */
};

/* Encodes text as bytes (so any UTF-8) at error correction level M, or L when M would
 * need a denser symbol than prints well at certificate size. 0 ok; -1 with err. */
int qr_encode(struct arena *a, const char *text, struct qr *out, char *err, size_t errlen);
/* Side of the printed code, quiet zone included, at module points per module. */
float qr_side(const struct qr *q, float module);
/* Paints the quiet zone white and fills the dark modules; (x, y) is the lower-left
 * corner of the quiet zone. */
void qr_draw(HPDF_Page page, const struct qr *q, float x, float y, float module);

#endif
