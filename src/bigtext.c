/* bigtext.c — see bigtext.h. */
#include "bigtext.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT_MAX_HEIGHT	16
#define FONT_MAX_WIDTH	16
#define GAP_COLS	1	/* dark columns between two glyphs */
#define BLANK_COLS	2	/* width of a character the font lacks */

struct glyph {
	bool	defined;
	int	width;
	char	rows[FONT_MAX_HEIGHT][FONT_MAX_WIDTH + 1];
};

struct bigfont {
	int		height;
	struct glyph	glyphs[128];
};

static void
chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static bool
pixel_row(const char *s)
{
	return *s != '\0' && strspn(s, "#.") == strlen(s);
}

/* Parses the font; returns 0, or -1 with err set ("LINE: what"). */
static int
parse_font(FILE *fp, struct bigfont *f, char *err, size_t errlen)
{
	char line[128];
	struct glyph *g = NULL;
	int row = 0, ln = 0;

	while (fgets(line, sizeof line, fp) != NULL) {
		ln++;
		chomp(line);
		if (line[0] == ';' || (line[0] == '\0' && (g == NULL || row == f->height)))
			continue;
		if (f->height == 0) {
			long h;

			if (strncmp(line, "height ", 7) != 0 || !parse_long(line + 7, &h) ||
			    h < 1 || h > FONT_MAX_HEIGHT) {
				snprintf(err, errlen, "line %d: expected \"height N\" (1-%d)", ln,
				    FONT_MAX_HEIGHT);
				return -1;
			}
			f->height = (int)h;
			continue;
		}
		if (g == NULL || row == f->height) {
			unsigned char c = (unsigned char)line[6];

			if (strncmp(line, "glyph ", 6) != 0 || c < 0x21 || c > 0x7e ||
			    line[7] != '\0') {
				snprintf(err, errlen, "line %d: expected \"glyph C\"", ln);
				return -1;
			}
			g = &f->glyphs[c];
			memset(g, 0, sizeof *g);
			row = 0;
			continue;
		}
		if (!pixel_row(line) || strlen(line) > FONT_MAX_WIDTH ||
		    (row > 0 && (int)strlen(line) != g->width)) {
			snprintf(err, errlen, "line %d: expected a row of '#' and '.' as wide as "
			    "the glyph's first (at most %d)", ln, FONT_MAX_WIDTH);
			return -1;
		}
		g->width = (int)strlen(line);
		strcpy(g->rows[row++], line);
		g->defined = row == f->height;
	}
	if (f->height == 0 || (g != NULL && row != f->height)) {
		snprintf(err, errlen, "line %d: the file ends inside a glyph or has none", ln);
		return -1;
	}
	return 0;
}

struct bigfont *
bigfont_load(const char *path, char *err, size_t errlen)
{
	struct bigfont *f;
	char why[160];
	FILE *fp = fopen(path, "re");

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	if (parse_font(fp, f, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		free(f);
		f = NULL;
	}
	fclose(fp);
	return f;
}

void
bigfont_free(struct bigfont *f)
{
	free(f);
}

int
bigtext_rows(const struct bigfont *f, enum big_style style, int scale)
{
	int h = f->height * scale;

	return style == BIG_HALF ? (h + 1) / 2 : h;
}

static const struct glyph *
glyph_for(const struct bigfont *f, char c)
{
	unsigned char u = (unsigned char)c;

	return u < 128 && f->glyphs[u].defined ? &f->glyphs[u] : NULL;
}

int
bigtext_cols(const struct bigfont *f, const char *text, int scale)
{
	int w = 0;

	for (const char *p = text; *p != '\0'; p++) {
		const struct glyph *g = glyph_for(f, *p);

		w += (g != NULL ? g->width : BLANK_COLS) + (p[1] != '\0' ? GAP_COLS : 0);
	}
	return w * scale;
}

/* Pixel (y, x) of the glyph drawn scale times as large. */
static bool
lit(const struct bigfont *f, const struct glyph *g, int y, int x, int scale)
{
	y /= scale;
	x /= scale;
	return g != NULL && y < f->height && g->rows[y][x] == '#';
}

/* The cell for pixel rows y (and y + 1 in half style) of column x. */
static const char *
cell(const struct bigfont *f, const struct glyph *g, int y, int x, enum big_style style,
    int scale)
{
	bool top = lit(f, g, y, x, scale), bottom;

	switch (style) {
	case BIG_ASCII:
		return top ? "#" : " ";
	case BIG_HALF:
		bottom = lit(f, g, y + 1, x, scale);
		if (top && bottom)
			return "█";
		return top ? "▀" : bottom ? "▄" : " ";
	}
	return " ";
}

static char *
render_row(const struct bigfont *f, const char *text, enum big_style style, int scale, int y)
{
	size_t cap = (size_t)bigtext_cols(f, text, scale) * 3 + 1, o = 0;
	char *out = xmalloc(cap);

	for (const char *p = text; *p != '\0'; p++) {
		const struct glyph *g = glyph_for(f, *p);
		int w = (g != NULL ? g->width : BLANK_COLS) * scale;

		for (int x = 0; x < w + (p[1] != '\0' ? GAP_COLS * scale : 0); x++) {
			const char *c = x < w ? cell(f, g, y, x, style, scale) : " ";
			size_t cl = strlen(c);

			memcpy(out + o, c, cl);
			o += cl;
		}
	}
	out[o] = '\0';
	return out;
}

int
bigtext_render(const struct bigfont *f, const char *text, enum big_style style, int scale,
    char **rows, int maxrows)
{
	int n = bigtext_rows(f, style, scale), step = style == BIG_HALF ? 2 : 1;

	if (n > maxrows)
		n = maxrows;
	for (int i = 0; i < n; i++)
		rows[i] = render_row(f, text, style, scale, i * step);
	return n;
}
