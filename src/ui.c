/* ui.c — see ui.h: terminal setup, screen switching and the drawing helpers screens share. */
#include "ui.h"
#include "i18n.h"
#include "kiosk_fsm.h"
#include "textw.h"
#include "util.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PAIR_QR		1
#define PAIR_PROMPT	2
#define PAIR_ERROR	3
#define QR_MAX_ROWS	200
#define BIG_MAX_ROWS	64
#define PAIR_GOOD	4
#define PAIR_FAIR	5
#define PAIR_SLOW	6

static const struct ui_glyphs glyph_sets[] = {
	[CHARSET_UNICODE] = { "─", "│", "┌", "┐", "└", "┘", "█", "░", "…", " · ", " → ", "•",
	    BIG_HALF, QR_HALF, false },
	/* The kiosk's own console font, tramdo-vi16 (scripts/mkfont.py), is Vietnamese-Fixed16
	 * with ▀ ▄ ▌ ▐ added: half blocks make a QR code half as wide, so it fits a 100x30
	 * console, and give large digits square pixels that grow in finer steps. */
	[CHARSET_CONSOLE] = { "─", "│", "┌", "┐", "└", "┘", "█", "░", "…", " · ", " → ", "•",
	    BIG_HALF, QR_HALF, false },
	[CHARSET_ASCII] = { "-", "|", "+", "+", "+", "+", "#", ".", "...", " | ", " -> ", "*",
	    BIG_ASCII, QR_ASCII, true },
};

static bool colours;

const struct ui_glyphs *
ui_glyphs(enum charset cs)
{
	if (cs != CHARSET_CONSOLE && cs != CHARSET_ASCII)
		cs = CHARSET_UNICODE;
	return &glyph_sets[cs];
}

int
ui_open(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	if (initscr() == NULL)
		return -1;
	/* raw: Ctrl-C, Ctrl-Z and Ctrl-\ arrive as plain keys instead of signals. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	colours = has_colors();
	if (colours) {
		start_color();
		use_default_colors();
		init_pair(PAIR_QR, COLOR_BLACK, COLOR_WHITE);
		init_pair(PAIR_PROMPT, COLOR_WHITE, COLOR_BLUE);
		init_pair(PAIR_ERROR, COLOR_WHITE, COLOR_RED);
		init_pair(PAIR_GOOD, COLOR_WHITE, COLOR_GREEN);
		init_pair(PAIR_FAIR, COLOR_BLACK, COLOR_YELLOW);
		init_pair(PAIR_SLOW, COLOR_WHITE, COLOR_RED);
	}
	return 0;
}

void
ui_close(void)
{
	if (!isendwin()) {
		curs_set(1);
		endwin();
	}
}

void
ui_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

int
ui_fd(void)
{
	return STDIN_FILENO;
}

/* ncurses' function keys as the state machine counts keys: it knows no curses. */
static int
function_key(wint_t wc)
{
	switch (wc) {
	case KEY_ENTER:
		return KEY_RETURN;
	case KEY_BACKSPACE:
	case KEY_DC:
		return KEY_ERASE;
	default:
		return KEY_OTHER;
	}
}

int
ui_read_key(void)
{
	wint_t wc;

	for (;;) {
		switch (wget_wch(stdscr, &wc)) {
		case OK:
			return (int)wc;
		case KEY_CODE_YES:
			/* Resizes come from SIGWINCH, and a mouse is no key: neither is pressed. */
			if (wc == KEY_RESIZE || wc == KEY_MOUSE)
				continue;
			return function_key(wc);
		default:
			return -1;
		}
	}
}

int ui_attr_title(void) { return A_BOLD; }
int ui_attr_prompt(void) { return colours ? (int)(COLOR_PAIR(PAIR_PROMPT) | A_BOLD) : A_REVERSE; }
int ui_attr_error(void) { return colours ? (int)(COLOR_PAIR(PAIR_ERROR) | A_BOLD) : A_REVERSE; }
int ui_attr_dim(void) { return A_DIM; }

int
ui_attr_rating(int rating)
{
	static const short pairs[] = { PAIR_GOOD, PAIR_FAIR, PAIR_SLOW };

	if (!colours || rating < 0 || rating > 2)
		return A_REVERSE | A_BOLD;
	return (int)(COLOR_PAIR(pairs[rating]) | A_BOLD);
}

const char *
ui_tr(const struct ui_model *m, const char *key)
{
	return i18n_get(m->tr, key);
}

const char *
ui_number(const struct ui_model *m, double value, int decimals, int slot)
{
	static char buf[4][32];

	return i18n_number(m->tr, value, decimals, buf[slot & 3], sizeof buf[0]);
}

int
ui_mbps_decimals(double mbps)
{
	return mbps < 10 ? 2 : mbps < 1000 ? 1 : 0;
}

int
ui_ms_decimals(double ms)
{
	return ms < 10 ? 1 : 0;
}

/* The text as the terminal can show it (malloc'd), cut to w columns. */
static char *
shown(const struct ui_model *m, const char *text, int w)
{
	const struct ui_glyphs *g = ui_glyphs(m->charset);
	char *plain = g->ascii_text ? textw_ascii(text) : xstrdup(text);
	char *cut = textw_truncate(plain, w, g->ellipsis);

	free(plain);
	return cut;
}

void
ui_text(const struct ui_model *m, int y, int x, int w, const char *text, int attr)
{
	char *s;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	if (w > COLS - x)
		w = COLS - x;
	s = shown(m, text, w);
	attron(attr);
	mvaddstr(y, x, s);
	attroff(attr);
	free(s);
}

int
ui_centre(const struct ui_model *m, int y, int x0, int w, const char *text, int attr)
{
	char *s = shown(m, text, w);

	ui_text(m, y, x0 + textw_centre(textw_width(s), w), w, s, attr);
	free(s);
	return 1;
}

int
ui_centre_wrap(const struct ui_model *m, int y, int x0, int w, const char *text, int attr,
    int maxrows)
{
	char *lines[8];
	int n;

	if (maxrows > 8)
		maxrows = 8;
	n = textw_wrap(text, w, lines, maxrows);
	for (int i = 0; i < n; i++)
		ui_centre(m, y + i, x0, w, lines[i], attr);
	textw_free_lines(lines, n);
	return n;
}

int
ui_big_rows(const struct ui_model *m, int scale)
{
	return m->font != NULL ? bigtext_rows(m->font, ui_glyphs(m->charset)->big, scale) : 1;
}

int
ui_big_cols(const struct ui_model *m, const char *text, int scale)
{
	return m->font != NULL ? bigtext_cols(m->font, text, scale) : textw_width(text);
}

void
ui_big(const struct ui_model *m, int y, int x, const char *text, int scale, int attr)
{
	char *rows[BIG_MAX_ROWS];
	int n;

	if (m->font == NULL) {
		ui_text(m, y, x, COLS - x, text, attr | (int)A_BOLD);
		return;
	}
	n = bigtext_render(m->font, text, ui_glyphs(m->charset)->big, scale, rows, BIG_MAX_ROWS);
	for (int i = 0; i < n; i++) {
		/* The glyph set is already what the terminal shows: draw it as it is. */
		if (y + i >= 0 && y + i < LINES && x >= 0 && x < COLS) {
			attron(attr);
			mvaddstr(y + i, x, rows[i]);
			attroff(attr);
		}
		free(rows[i]);
	}
}

void
ui_box(const struct ui_model *m, int y, int x, int h, int w, int attr)
{
	const struct ui_glyphs *g = ui_glyphs(m->charset);

	attron(attr);
	for (int i = 0; i < w; i++) {
		const char *top = i == 0 ? g->tl : i == w - 1 ? g->tr : g->h;
		const char *bot = i == 0 ? g->bl : i == w - 1 ? g->br : g->h;

		mvaddstr(y, x + i, top);
		mvaddstr(y + h - 1, x + i, bot);
	}
	for (int j = 1; j < h - 1; j++) {
		mvaddstr(y + j, x, g->v);
		mvaddstr(y + j, x + w - 1, g->v);
	}
	attroff(attr);
}

void
ui_bar(const struct ui_model *m, int y, int x, int w, double fraction)
{
	const struct ui_glyphs *g = ui_glyphs(m->charset);
	int on;

	if (!isfinite(fraction) || fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	on = (int)lround(fraction * w);
	move(y, x);
	for (int i = 0; i < w; i++)
		addstr(i < on ? g->bar_on : g->bar_off);
}

int
ui_qr_size(const struct ui_model *m, const char *text, int *rows, int *cols)
{
	struct qr_code qr;
	enum qr_style style = ui_glyphs(m->charset)->qr;

	if (text == NULL || *text == '\0' || qr_encode(text, &qr) != 0)
		return -1;
	*rows = qr_rows(&qr, style);
	*cols = qr_cols(&qr, style);
	qr_free(&qr);
	return 0;
}

void
ui_qr(const struct ui_model *m, int y, int x, const char *text)
{
	struct qr_code qr;
	enum qr_style style = ui_glyphs(m->charset)->qr;
	char *rows[QR_MAX_ROWS];
	int n, attr = colours ? (int)COLOR_PAIR(PAIR_QR) : A_NORMAL;

	if (qr_encode(text, &qr) != 0)
		return;
	/* Without colours, blocks are drawn light on dark: draw the light modules instead. */
	n = qr_render(&qr, style, !colours, rows, QR_MAX_ROWS);
	attron(attr);
	for (int i = 0; i < n; i++) {
		if (y + i < LINES)
			mvaddstr(y + i, x, rows[i]);
		free(rows[i]);
	}
	attroff(attr);
	qr_free(&qr);
}

static void
draw_too_small(const struct ui_model *m)
{
	int y = LINES / 2 - 1;

	if (y < 0)
		y = 0;
	ui_centre(m, y, 0, COLS, ui_tr(m, "app.too_small"), A_BOLD);
	ui_centre_wrap(m, y + 1, 0, COLS, ui_tr(m, "app.too_small_hint"), A_NORMAL,
	    LINES - y - 1);
}

static void (*const screens[])(const struct ui_model *) = {
	[UI_WELCOME] = welcome_draw, [UI_RUNNING] = running_draw, [UI_RESULT] = result_draw,
	[UI_ERROR] = error_draw, [UI_STAFF] = staff_draw,
};

void
ui_draw(const struct ui_model *m)
{
	erase();
	if (LINES < UI_MIN_ROWS || COLS < UI_MIN_COLS)
		draw_too_small(m);
	else
		screens[m->screen](m);
	refresh();
}
