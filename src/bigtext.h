/*
 * bigtext.h — large figures for the kiosk from a pixel font in assets/ (digits.txt): '#' lit,
 * '.' dark, a fixed height, glyphs of any width. Rendered as rows of UTF-8 text in one of two
 * styles, matching the terminal's glyph set, at any whole scale.
 */
#ifndef TRAMDO_BIGTEXT_H
#define TRAMDO_BIGTEXT_H

#include <stddef.h>

enum big_style {
	BIG_HALF,	/* two pixel rows per cell with "▀", "▄", "█" (square pixels) */
	BIG_ASCII	/* one pixel per cell, "#" */
};

struct bigfont;

/* NULL with a message in err when the file is missing or malformed. */
struct bigfont	*bigfont_load(const char *path, char *err, size_t errlen);
void		 bigfont_free(struct bigfont *f);
/*
 * Screen rows and columns text takes in style, each pixel drawn scale x scale (1 and up;
 * characters without a glyph are a blank gap).
 */
int		 bigtext_rows(const struct bigfont *f, enum big_style style, int scale);
int		 bigtext_cols(const struct bigfont *f, const char *text, int scale);
/* Fills rows[0 .. bigtext_rows) with malloc'd UTF-8 lines; returns the number of rows. */
int		 bigtext_render(const struct bigfont *f, const char *text, enum big_style style,
		    int scale, char **rows, int maxrows);

#endif
