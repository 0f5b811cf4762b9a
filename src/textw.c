/* textw.c — see textw.h. */
#include "textw.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

size_t
textw_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t n;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2; c = u[0] & 0x1f; min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3; c = u[0] & 0x0f; min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4; c = u[0] & 0x07; min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (n > len) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = c << 6 | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past Unicode are as bad as a stray byte. */
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return n;
}

int
textw_cpwidth(uint32_t cp)
{
	int w;

	if (cp == 0xfffd)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

static int
width_n(const char *s, size_t len)
{
	int w = 0;

	while (len > 0) {
		uint32_t cp;
		size_t n = textw_decode(s, len, &cp);

		w += textw_cpwidth(cp);
		s += n;
		len -= n;
	}
	return w;
}

int
textw_width(const char *s)
{
	return width_n(s, strlen(s));
}

int
textw_centre(int w, int cols)
{
	return w >= cols ? 0 : (cols - w) / 2;
}

/* Bytes of s[0..len) that fit in cols columns, never splitting a character from its marks. */
static size_t
fit_bytes(const char *s, size_t len, int cols)
{
	size_t off = 0;
	int w = 0;

	while (off < len) {
		uint32_t cp;
		size_t n = textw_decode(s + off, len - off, &cp);
		int cw = textw_cpwidth(cp);

		if (cw > 0 && w + cw > cols)
			break;
		w += cw;
		off += n;
	}
	return off;
}

static char *
copy_bytes(const char *s, size_t n, const char *tail)
{
	size_t tl = strlen(tail);
	char *out = xmalloc(n + tl + 1);

	memcpy(out, s, n);
	memcpy(out + n, tail, tl + 1);
	return out;
}

char *
textw_truncate(const char *s, int cols, const char *ellipsis)
{
	size_t len = strlen(s);
	int ew = textw_width(ellipsis);

	if (cols <= 0)
		return xstrdup("");
	if (textw_width(s) <= cols)
		return xstrdup(s);
	if (ew > cols)
		return copy_bytes(s, fit_bytes(s, len, cols), "");
	return copy_bytes(s, fit_bytes(s, len, cols - ew), ellipsis);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the line starting at s that fits in cols columns, breaking after a space. */
static size_t
line_bytes(const char *s, size_t len, int cols, size_t *next)
{
	const char *nl = memchr(s, '\n', len);
	size_t seg = nl != NULL ? (size_t)(nl - s) : len, fit, brk;

	/* A forced break ends the line; nothing after it is looked at. */
	if (width_n(s, seg) <= cols) {
		*next = nl != NULL ? seg + 1 : seg;
		return seg;
	}
	fit = fit_bytes(s, seg, cols);
	/* Break at the last space inside the fitting part, if any; else cut the long word. */
	for (brk = fit; brk > 0 && !is_space(s[brk]); brk--)
		;
	if (brk == 0) {
		if (fit == 0)
			fit = textw_decode(s, seg, &(uint32_t){ 0 });
		*next = fit;
		return fit;
	}
	*next = brk + 1;
	while (*next < len && is_space(s[*next]))
		(*next)++;
	while (brk > 0 && is_space(s[brk - 1]))
		brk--;
	return brk;
}

int
textw_wrap(const char *s, int cols, char **lines, int maxlines)
{
	size_t len = strlen(s);
	int n = 0;

	if (cols <= 0)
		return 0;
	while (n < maxlines && len > 0) {
		size_t next, take = line_bytes(s, len, cols, &next);

		lines[n++] = copy_bytes(s, take, "");
		s += next;
		len -= next;
	}
	return n;
}

void
textw_free_lines(char **lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i]);
}

/*
 * Vietnamese letters (all tone and vowel marks) and their bare ASCII letter; generated from
 * Unicode's canonical decompositions, sorted by code point for bsearch.
 */
static const struct deaccent {
	uint32_t	cp;
	char		ascii;
} deaccents[] = {
	{ 0x00c0, 'A' }, { 0x00c1, 'A' }, { 0x00c2, 'A' }, { 0x00c3, 'A' }, { 0x00c8, 'E' },
	{ 0x00c9, 'E' }, { 0x00ca, 'E' }, { 0x00cc, 'I' }, { 0x00cd, 'I' }, { 0x00ce, 'I' },
	{ 0x00d2, 'O' }, { 0x00d3, 'O' }, { 0x00d4, 'O' }, { 0x00d5, 'O' }, { 0x00d9, 'U' },
	{ 0x00da, 'U' }, { 0x00db, 'U' }, { 0x00dd, 'Y' }, { 0x00e0, 'a' }, { 0x00e1, 'a' },
	{ 0x00e2, 'a' }, { 0x00e3, 'a' }, { 0x00e8, 'e' }, { 0x00e9, 'e' }, { 0x00ea, 'e' },
	{ 0x00ec, 'i' }, { 0x00ed, 'i' }, { 0x00ee, 'i' }, { 0x00f2, 'o' }, { 0x00f3, 'o' },
	{ 0x00f4, 'o' }, { 0x00f5, 'o' }, { 0x00f9, 'u' }, { 0x00fa, 'u' }, { 0x00fb, 'u' },
	{ 0x00fd, 'y' }, { 0x0102, 'A' }, { 0x0103, 'a' }, { 0x0110, 'D' }, { 0x0111, 'd' },
	{ 0x0114, 'E' }, { 0x0115, 'e' }, { 0x0128, 'I' }, { 0x0129, 'i' }, { 0x012c, 'I' },
	{ 0x012d, 'i' }, { 0x014e, 'O' }, { 0x014f, 'o' }, { 0x0168, 'U' }, { 0x0169, 'u' },
	{ 0x016c, 'U' }, { 0x016d, 'u' }, { 0x0176, 'Y' }, { 0x0177, 'y' }, { 0x01a0, 'O' },
	{ 0x01a1, 'o' }, { 0x01af, 'U' }, { 0x01b0, 'u' }, { 0x1ea0, 'A' }, { 0x1ea1, 'a' },
	{ 0x1ea2, 'A' }, { 0x1ea3, 'a' }, { 0x1ea4, 'A' }, { 0x1ea5, 'a' }, { 0x1ea6, 'A' },
	{ 0x1ea7, 'a' }, { 0x1ea8, 'A' }, { 0x1ea9, 'a' }, { 0x1eaa, 'A' }, { 0x1eab, 'a' },
	{ 0x1eac, 'A' }, { 0x1ead, 'a' }, { 0x1eae, 'A' }, { 0x1eaf, 'a' }, { 0x1eb0, 'A' },
	{ 0x1eb1, 'a' }, { 0x1eb2, 'A' }, { 0x1eb3, 'a' }, { 0x1eb4, 'A' }, { 0x1eb5, 'a' },
	{ 0x1eb6, 'A' }, { 0x1eb7, 'a' }, { 0x1eb8, 'E' }, { 0x1eb9, 'e' }, { 0x1eba, 'E' },
	{ 0x1ebb, 'e' }, { 0x1ebc, 'E' }, { 0x1ebd, 'e' }, { 0x1ebe, 'E' }, { 0x1ebf, 'e' },
	{ 0x1ec0, 'E' }, { 0x1ec1, 'e' }, { 0x1ec2, 'E' }, { 0x1ec3, 'e' }, { 0x1ec4, 'E' },
	{ 0x1ec5, 'e' }, { 0x1ec6, 'E' }, { 0x1ec7, 'e' }, { 0x1ec8, 'I' }, { 0x1ec9, 'i' },
	{ 0x1eca, 'I' }, { 0x1ecb, 'i' }, { 0x1ecc, 'O' }, { 0x1ecd, 'o' }, { 0x1ece, 'O' },
	{ 0x1ecf, 'o' }, { 0x1ed0, 'O' }, { 0x1ed1, 'o' }, { 0x1ed2, 'O' }, { 0x1ed3, 'o' },
	{ 0x1ed4, 'O' }, { 0x1ed5, 'o' }, { 0x1ed6, 'O' }, { 0x1ed7, 'o' }, { 0x1ed8, 'O' },
	{ 0x1ed9, 'o' }, { 0x1eda, 'O' }, { 0x1edb, 'o' }, { 0x1edc, 'O' }, { 0x1edd, 'o' },
	{ 0x1ede, 'O' }, { 0x1edf, 'o' }, { 0x1ee0, 'O' }, { 0x1ee1, 'o' }, { 0x1ee2, 'O' },
	{ 0x1ee3, 'o' }, { 0x1ee4, 'U' }, { 0x1ee5, 'u' }, { 0x1ee6, 'U' }, { 0x1ee7, 'u' },
	{ 0x1ee8, 'U' }, { 0x1ee9, 'u' }, { 0x1eea, 'U' }, { 0x1eeb, 'u' }, { 0x1eec, 'U' },
	{ 0x1eed, 'u' }, { 0x1eee, 'U' }, { 0x1eef, 'u' }, { 0x1ef0, 'U' }, { 0x1ef1, 'u' },
	{ 0x1ef2, 'Y' }, { 0x1ef3, 'y' }, { 0x1ef4, 'Y' }, { 0x1ef5, 'y' }, { 0x1ef6, 'Y' },
	{ 0x1ef7, 'y' }, { 0x1ef8, 'Y' }, { 0x1ef9, 'y' },
};

/* Typographic symbols the catalogs may use, in the spelling an ASCII terminal can show. */
static const struct {
	uint32_t	 cp;
	const char	*ascii;
} symbols[] = {
	{ 0x2013, "-" }, { 0x2014, "-" }, { 0x2018, "'" }, { 0x2019, "'" }, { 0x201c, "\"" },
	{ 0x201d, "\"" }, { 0x2026, "..." }, { 0x00b7, "." }, { 0x2022, "*" }, { 0x2190, "<-" },
	{ 0x2191, "^" }, { 0x2192, "->" }, { 0x2193, "v" }, { 0x00a0, " " }, { 0x00b0, "o" },
};

static int
deaccent_cmp(const void *key, const void *elem)
{
	uint32_t cp = *(const uint32_t *)key;
	const struct deaccent *d = elem;

	return cp < d->cp ? -1 : cp > d->cp;
}

static const char *
ascii_for(uint32_t cp, char buf[2])
{
	const struct deaccent *d;

	if (cp < 0x80) {
		buf[0] = (char)cp;
		buf[1] = '\0';
		return buf;
	}
	d = bsearch(&cp, deaccents, sizeof deaccents / sizeof deaccents[0], sizeof deaccents[0],
	    deaccent_cmp);
	if (d != NULL) {
		buf[0] = d->ascii;
		buf[1] = '\0';
		return buf;
	}
	for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
		if (symbols[i].cp == cp)
			return symbols[i].ascii;
	if (textw_cpwidth(cp) == 0)
		return "";
	return "?";
}

char *
textw_ascii(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = xmalloc(len * 3 + 1);	/* "..." is the longest replacement of >= 1 byte */

	while (len > 0) {
		uint32_t cp;
		size_t n = textw_decode(s, len, &cp);
		char buf[2];
		const char *a = ascii_for(cp, buf);
		size_t al = strlen(a);

		memcpy(out + o, a, al);
		o += al;
		s += n;
		len -= n;
	}
	out[o] = '\0';
	return out;
}
