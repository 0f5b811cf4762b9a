/*
 * ui_staff.c — the Staff screen: the PIN prompt, then what staff need to look after the
 * station: today's good and failed tests, results waiting per collector and the last upload,
 * GPS, the last problems in plain Vietnamese with their times (the raw text under each), a key
 * to start a test now, and the only way out of the kiosk.
 */
#include "ui.h"
#include "i18n.h"
#include "textw.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN		3
#define WRAP_MAX	8	/* lines a text is wrapped into before the rest is measured */
#define FIELD_ROWS	2	/* a value ("Lượt đo gần nhất: …") at 80 columns */
#define DETAIL_ROWS	4	/* a problem's raw text: curl's messages run long, with a URL */

static void
draw_pin(const struct ui_model *m)
{
	const struct ui_glyphs *g = ui_glyphs(m->charset);
	size_t glyph = strlen(g->mask);
	char *mask = xcalloc((size_t)m->pin_len + 1, glyph), n[16];
	int y = LINES / 2 - 4;

	/* One mask glyph per digit typed: the model never holds the digits themselves. */
	for (int i = 0; i < m->pin_len; i++)
		memcpy(mask + (size_t)i * glyph, g->mask, glyph);
	ui_centre(m, y, 0, COLS, ui_tr(m, "staff.pin_title"), ui_attr_title());
	ui_centre(m, y + 2, 0, COLS, ui_tr(m, "staff.pin_prompt"), A_NORMAL);
	ui_box(m, y + 4, (COLS - 24) / 2, 3, 24, A_NORMAL);
	ui_centre(m, y + 5, (COLS - 24) / 2, 24, mask, A_BOLD);
	if (m->pin_locked_left > 0) {
		char *text;

		snprintf(n, sizeof n, "%d", m->pin_locked_left);
		text = i18n_fill(ui_tr(m, "staff.pin_locked"), "n", n, FILL_END);
		ui_centre(m, y + 8, 0, COLS, text, ui_attr_error());
		free(text);
	} else if (m->pin_wrong)
		ui_centre(m, y + 8, 0, COLS, ui_tr(m, "staff.pin_wrong"), ui_attr_error());
	free(mask);
}

/*
 * Text from column x in w columns, wrapped over at most maxrows rows (at least one). The last
 * row holds all the rest, so what does not fit ends in an ellipsis (ui_text cuts it) instead
 * of vanishing. Returns the rows taken.
 */
static int
wrapped(const struct ui_model *m, int y, int x, int w, const char *text, int attr, int maxrows)
{
	char *lines[WRAP_MAX], *rest;
	int n = textw_wrap(text, w, lines, WRAP_MAX), rows = n < maxrows ? n : maxrows;

	if (rows < 1) {
		textw_free_lines(lines, n);
		return 1;
	}
	for (int i = 0; i < rows - 1; i++)
		ui_text(m, y + i, x, w, lines[i], attr);
	rest = xstrdup(lines[rows - 1]);
	for (int i = rows; i < n; i++) {
		char *more = xasprintf("%s %s", rest, lines[i]);

		free(rest);
		rest = more;
	}
	ui_text(m, y + rows - 1, x, w, rest, attr);
	free(rest);
	textw_free_lines(lines, n);
	return rows;
}

/* "Label: text", the label bold; text may be a catalog template already filled. Returns rows. */
static int
field(const struct ui_model *m, int y, const char *label_key, const char *text)
{
	const char *label = ui_tr(m, label_key);
	int lw = textw_width(label) + 2, w = COLS - 2 * MARGIN, rows;
	char *l = xasprintf("%s:", label);

	ui_text(m, y, MARGIN, w, l, A_BOLD);
	rows = wrapped(m, y, MARGIN + lw, w - lw, text, A_NORMAL, FIELD_ROWS);
	free(l);
	return rows;
}

static int
tests_today(const struct ui_model *m, int y)
{
	char good[16], failed[16], *text;
	int rows;

	snprintf(good, sizeof good, "%d", m->today_good);
	snprintf(failed, sizeof failed, "%d", m->today_failed);
	text = m->today_good < 0 ? xstrdup(ui_tr(m, "staff.unknown")) :
	    i18n_fill(ui_tr(m, "staff.tests_value"), "good", good, "failed", failed, FILL_END);
	rows = field(m, y, "staff.tests", text);
	free(text);
	return rows;
}

/* One line per collector: results waiting, and when one last got through. */
static int
uploads(const struct ui_model *m, int y)
{
	int rows = 0;

	if (m->nsinks == 0)
		return field(m, y, "staff.uploads", ui_tr(m, "staff.uploads_off"));
	for (int i = 0; i < m->nsinks; i++) {
		const struct ui_sink *s = &m->sinks[i];
		char pending[16], *text;

		snprintf(pending, sizeof pending, "%ld", s->pending);
		text = i18n_fill(ui_tr(m, s->last_sent[0] != '\0' ? "staff.sink_value" :
		    "staff.sink_never"), "sink", s->name, "n", pending, "when", s->last_sent, FILL_END);
		rows += field(m, y + rows, "staff.uploads", text);
		free(text);
	}
	return rows;
}

/* Rows text takes wrapped into w columns, at most max. */
static int
wrapped_rows(const char *text, int w, int max)
{
	char *lines[WRAP_MAX];
	int n = textw_wrap(text, w, lines, WRAP_MAX);

	textw_free_lines(lines, n);
	return n < max ? n : max;
}

/*
 * The problems, newest first: time and sentence, then the raw text for whoever staff call.
 * Only whole problems, as many as fit: the newest one is always shown, cut if it must be.
 */
static int
problems(const struct ui_model *m, int y, int last)
{
	int y0 = y;

	ui_text(m, y++, MARGIN, COLS - 2 * MARGIN, ui_tr(m, "staff.problems"), A_BOLD);
	if (m->nproblems == 0)
		ui_text(m, y++, MARGIN + 2, COLS - 2 * MARGIN - 2, ui_tr(m, "staff.no_problems"),
		    A_NORMAL);
	for (int i = 0; i < m->nproblems && y <= last; i++) {
		const struct ui_problem *p = &m->problems[i];
		int tw = textw_width(p->when) + 2;
		int x = MARGIN + 2 + tw, w = COLS - 2 * MARGIN - 2 - tw;
		int detail = p->detail[0] != '\0' ? wrapped_rows(p->detail, w, DETAIL_ROWS) : 0;

		if (i > 0 && y + detail > last)
			break;
		ui_text(m, y, MARGIN + 2, tw, p->when, A_BOLD);
		ui_text(m, y++, x, w, ui_tr(m, p->key), A_NORMAL);
		if (detail > 0 && y <= last)
			y += wrapped(m, y, x, w, p->detail, ui_attr_dim(),
			    last - y + 1 < detail ? last - y + 1 : detail);
	}
	return y - y0;
}

static void
keys(const struct ui_model *m, int y)
{
	const char *k[] = { m->can_test ? "staff.key_test" : NULL, "staff.key_back",
	    "staff.key_exit" };
	int x = MARGIN;

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (k[i] == NULL)
			continue;
		ui_text(m, y, x, COLS - x - MARGIN, ui_tr(m, k[i]), A_BOLD | A_REVERSE);
		x += textw_width(ui_tr(m, k[i])) + 3;
	}
}

static void
draw_status(const struct ui_model *m)
{
	int y = 1;

	ui_centre(m, y, 0, COLS, ui_tr(m, "staff.title"), ui_attr_title());
	y += 2;
	for (int i = 0; i < m->ninfo && y < LINES - 8; i++)
		y += field(m, y, m->info[i].label_key, m->info[i].value);
	y += tests_today(m, y);
	y += uploads(m, y);
	y += field(m, y, "staff.gps", m->status_gps);
	y++;
	problems(m, y, LINES - 3);
	keys(m, LINES - 2);
}

void
staff_draw(const struct ui_model *m)
{
	if (m->staff_unlocked)
		draw_status(m);
	else
		draw_pin(m);
}
