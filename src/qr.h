/*
 * qr.h — QR codes (libqrencode) as rows of text for the kiosk screen, with the quiet zone of
 * 4 modules phones need. A dark module is drawn as a block: the screen shows the code dark on
 * light (ui.c gives it black-on-white colours, or inverts it on terminals without colour).
 */
#ifndef TRAMDO_QR_H
#define TRAMDO_QR_H

#include <stdbool.h>

#define QR_QUIET 4

enum qr_style {
	QR_HALF,	/* one column and two rows of modules per cell: " ▀▄█" */
	QR_ASCII	/* one module per two cells, "##" */
};

struct qr_code {
	int	 size;		/* modules per side, quiet zone included */
	bool	*dark;		/* size * size, row by row */
};

/* 0, or -1 when the text cannot be encoded (too long, out of memory). */
int  qr_encode(const char *text, struct qr_code *qr);
void qr_free(struct qr_code *qr);
int  qr_rows(const struct qr_code *qr, enum qr_style style);
int  qr_cols(const struct qr_code *qr, enum qr_style style);
/* Fills rows[0 .. qr_rows) with malloc'd UTF-8 lines; invert swaps dark and light modules. */
int  qr_render(const struct qr_code *qr, enum qr_style style, bool invert, char **rows,
    int maxrows);

#endif
