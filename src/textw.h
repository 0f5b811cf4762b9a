/*
 * textw.h — laying out UTF-8 text by display width (wcwidth), not bytes: measuring, centring,
 * truncating and wrapping Vietnamese strings, and stripping diacritics for ASCII-only terminals.
 * Invalid UTF-8 never crashes: each bad byte counts as one column and is shown as '?'.
 * wcwidth() needs a UTF-8 LC_CTYPE; the kiosk makes sure it has one.
 */
#ifndef TRAMDO_TEXTW_H
#define TRAMDO_TEXTW_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point at s (len bytes left); returns bytes used (>= 1), *cp = 0xFFFD when invalid. */
size_t textw_decode(const char *s, size_t len, uint32_t *cp);
/* Columns one code point takes: 0 for combining marks, 2 for wide, 1 for invalid or control. */
int    textw_cpwidth(uint32_t cp);
/* Columns a whole string takes. */
int    textw_width(const char *s);
/* Column where text of width w starts when centred in cols columns (0 when it does not fit). */
int    textw_centre(int w, int cols);
/*
 * A copy of s that fits in cols columns; when cut, it ends with ellipsis (which must itself fit).
 * Never splits a character. The caller frees it.
 */
char  *textw_truncate(const char *s, int cols, const char *ellipsis);
/*
 * Word-wrap s into lines of at most cols columns (words longer than a line are cut), at most
 * maxlines lines, each malloc'd into lines[]. Returns the number of lines; "\n" forces a break.
 */
int    textw_wrap(const char *s, int cols, char **lines, int maxlines);
void   textw_free_lines(char **lines, int n);
/* s without diacritics in plain ASCII ("Tiếng Việt" -> "Tieng Viet"); other symbols become '?'. */
char  *textw_ascii(const char *s);

#endif
