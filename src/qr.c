/* qr.c — see qr.h. */
#include "qr.h"
#include "util.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

int
qr_encode(const char *text, struct qr_code *qr)
{
	/*
	 * Version 0: the smallest that holds the text. Level L: a screen is flat and clean, so its
	 * 7% of recovery is enough, and a result's code stays small enough to sit beside the
	 * figures on a 100x30 console (level M needs a version more for the same text).
	 */
	QRcode *c = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);

	memset(qr, 0, sizeof *qr);
	if (c == NULL)
		return -1;
	qr->size = c->width + 2 * QR_QUIET;
	qr->dark = xcalloc((size_t)qr->size * (size_t)qr->size, sizeof qr->dark[0]);
	for (int y = 0; y < c->width; y++)
		for (int x = 0; x < c->width; x++)
			qr->dark[(y + QR_QUIET) * qr->size + x + QR_QUIET] =
			    (c->data[y * c->width + x] & 1) != 0;
	QRcode_free(c);
	return 0;
}

void
qr_free(struct qr_code *qr)
{
	free(qr->dark);
	memset(qr, 0, sizeof *qr);
}

int
qr_rows(const struct qr_code *qr, enum qr_style style)
{
	return style == QR_HALF ? (qr->size + 1) / 2 : qr->size;
}

int
qr_cols(const struct qr_code *qr, enum qr_style style)
{
	return style == QR_HALF ? qr->size : 2 * qr->size;
}

static bool
module(const struct qr_code *qr, int y, int x, bool invert)
{
	/* Below the last row (odd sizes in half style) is more quiet zone. */
	if (y >= qr->size)
		return invert;
	return qr->dark[y * qr->size + x] != invert;
}

static const char *
cell(const struct qr_code *qr, enum qr_style style, bool invert, int y, int x)
{
	bool top = module(qr, y, x, invert), bottom;

	switch (style) {
	case QR_ASCII:
		return top ? "##" : "  ";
	case QR_HALF:
		bottom = module(qr, y + 1, x, invert);
		if (top && bottom)
			return "█";
		return top ? "▀" : bottom ? "▄" : " ";
	}
	return " ";
}

int
qr_render(const struct qr_code *qr, enum qr_style style, bool invert, char **rows, int maxrows)
{
	int n = qr_rows(qr, style), step = style == QR_HALF ? 2 : 1;

	if (n > maxrows)
		n = maxrows;
	for (int i = 0; i < n; i++) {
		char *out = xmalloc((size_t)qr->size * 6 + 1);
		size_t o = 0;

		for (int x = 0; x < qr->size; x++) {
			const char *c = cell(qr, style, invert, i * step, x);
			size_t cl = strlen(c);

			memcpy(out + o, c, cl);
			o += cl;
		}
		out[o] = '\0';
		rows[i] = out;
	}
	return n;
}
