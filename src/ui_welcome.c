/*
 * ui_welcome.c — the Welcome screen: the station, the one-key prompt (or the wait, or "out of
 * service"), what the station has measured for its commune, and the i-Speed QR code.
 */
#include "ui.h"
#include "i18n.h"
#include "textw.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPT_LINES	3
#define CAPTION_LINES	5
#define QR_GAP		3	/* columns between the text and the code */

/* The status line staff read: clock · server · GPS · pending uploads (empty fields hidden). */
static void
draw_status(const struct ui_model *m, int y)
{
	const struct ui_glyphs *g = ui_glyphs(m->charset);
	char line[512];
	size_t o = 0;

	line[0] = '\0';
#define PART(...) do {								\
	if (o > 0 && o < sizeof line)						\
		o += (size_t)snprintf(line + o, sizeof line - o, "%s", g->sep);	\
	if (o < sizeof line)							\
		o += (size_t)snprintf(line + o, sizeof line - o, __VA_ARGS__);	\
} while (0)
	if (m->clock[0] != '\0')
		PART("%s", m->clock);
	if (m->status_server[0] != '\0')
		PART("%s: %s", ui_tr(m, "welcome.server"), m->status_server);
	if (m->status_gps[0] != '\0')
		PART("%s: %s", ui_tr(m, "welcome.gps"), m->status_gps);
	if (m->uploads_pending >= 0)
		PART("%s: %d", ui_tr(m, "welcome.pending"), m->uploads_pending);
#undef PART
	ui_centre(m, y, 0, COLS, line, ui_attr_dim());
}

/* What the box says: the prompt, the wait during a cooldown, or that the station is down. */
static char *
box_text(const struct ui_model *m)
{
	char n[16];

	if (m->out_of_service)
		return i18n_fill(ui_tr(m, "welcome.out_title"), FILL_END);
	if (m->cooldown_left > 0) {
		snprintf(n, sizeof n, "%d", m->cooldown_left);
		return i18n_fill(ui_tr(m, "welcome.cooldown"), "n", n, FILL_END);
	}
	return xstrdup(m->prompt != NULL && *m->prompt != '\0' ? m->prompt :
	    ui_tr(m, "welcome.prompt"));
}

/* The box, centred in w columns from x0 (or only measured when draw is false); returns rows. */
static int
prompt_box(const struct ui_model *m, int y, int x0, int w, bool draw)
{
	char *text = box_text(m), *lines[PROMPT_LINES];
	int n = textw_wrap(text, w - 6, lines, PROMPT_LINES), bw = 0, bx;
	int attr = m->out_of_service ? ui_attr_error() : ui_attr_prompt();

	for (int i = 0; i < n; i++)
		if (textw_width(lines[i]) > bw)
			bw = textw_width(lines[i]);
	bw += 6;
	bx = x0 + textw_centre(bw, w);
	if (draw) {
		attron(attr);
		for (int i = 0; i < n + 2; i++)
			mvhline(y + 1 + i, bx + 1, ' ', bw - 2);
		attroff(attr);
		ui_box(m, y, bx, n + 4, bw, attr);
		for (int i = 0; i < n; i++)
			ui_centre(m, y + 2 + i, bx, bw, lines[i], attr);
	}
	textw_free_lines(lines, n);
	free(text);
	return n + 4;
}

/* Rows text takes wrapped into w columns, at most max. */
static int
wrapped_rows(const char *text, int w, int max)
{
	char *lines[CAPTION_LINES];
	int n = textw_wrap(text, w, lines, max < CAPTION_LINES ? max : CAPTION_LINES);

	textw_free_lines(lines, n);
	return n;
}

/* One line of text, wrapped over at most two when narrow; the rows it took (or would take). */
static int
line(const struct ui_model *m, int y, int x0, int w, char *text, int attr, bool draw)
{
	int n = wrapped_rows(text, w, 2);

	if (draw)
		ui_centre_wrap(m, y, x0, w, text, attr, 2);
	free(text);
	return n;
}

/* The commune's count: what the station has added this month, and today. */
static int
counts(const struct ui_model *m, int y, int x0, int w, bool draw)
{
	char month[8], month_n[16], today[16];
	int rows = 0;

	snprintf(today, sizeof today, "%d", m->tests_today);
	if (m->tests_month >= 0) {
		snprintf(month, sizeof month, "%d", m->month);
		snprintf(month_n, sizeof month_n, "%d", m->tests_month);
		rows += line(m, y, x0, w, i18n_fill(ui_tr(m, m->commune != NULL &&
		    *m->commune != '\0' ? "welcome.month" : "welcome.month_station"),
		    "m", month, "n", month_n, "commune", m->commune, FILL_END), A_NORMAL, draw);
	}
	rows += line(m, y + rows, x0, w, i18n_fill(ui_tr(m, "welcome.today"), "n", today, FILL_END),
	    A_NORMAL, draw);
	return rows;
}

/* Under the box: how long a test takes, or why none starts and when the station tries again. */
static int
under_box(const struct ui_model *m, int y, int x0, int w, bool draw)
{
	char n[16];
	int rows = 0;

	if (m->out_of_service) {
		int minutes = (m->retry_left + 59) / 60;

		rows += line(m, y, x0, w, i18n_fill(ui_tr(m, "welcome.out_sorry"), FILL_END), A_BOLD,
		    draw);
		snprintf(n, sizeof n, "%d", minutes > 0 ? minutes : 1);
		rows += line(m, y + rows, x0, w, i18n_fill(ui_tr(m, "welcome.out_retry"), "n", n,
		    FILL_END), A_NORMAL, draw);
		rows += line(m, y + rows, x0, w, i18n_fill(ui_tr(m, "welcome.out_staff"), FILL_END),
		    A_NORMAL, draw);
		return rows;
	}
	snprintf(n, sizeof n, "%d", m->test_seconds);
	return line(m, y, x0, w, i18n_fill(ui_tr(m, "welcome.free"), "n", n, FILL_END), A_NORMAL, draw);
}

/* The text column: station, title, box, the line under it, counts, the language key. */
static int
text_column(const struct ui_model *m, int y, int x0, int w, bool draw)
{
	int y0 = y;

	if (m->station_name != NULL && *m->station_name != '\0') {
		if (draw)
			ui_centre(m, y, x0, w, m->station_name, ui_attr_title());
		y++;
	}
	if (draw)
		ui_centre(m, y, x0, w, ui_tr(m, "app.title"), A_NORMAL);
	y += 2;
	y += prompt_box(m, y, x0, w, draw);
	y += 1 + under_box(m, y + 1, x0, w, draw);
	y += 1 + counts(m, y + 1, x0, w, draw);
	if (draw)
		ui_centre(m, y + 1, x0, w, ui_tr(m, "welcome.language"), A_BOLD);
	return y + 2 - y0;
}

static const char *
caption(const struct ui_model *m)
{
	if (m->promo_caption != NULL && *m->promo_caption != '\0')
		return m->promo_caption;
	return ui_tr(m, m->promo_is_ispeed ? "welcome.ispeed" : "welcome.promo");
}

/*
 * The promo code (i-Speed by default) in a column on the right, with what it is for above
 * and below it; returns the columns it takes, or 0 when it does not fit beside the text.
 */
static int
promo_column(const struct ui_model *m, int text_min)
{
	int qrows, qcols, cw, top, y;
	char *lines[CAPTION_LINES];
	int n;

	if (m->promo_qr_url == NULL || *m->promo_qr_url == '\0' ||
	    ui_qr_size(m, m->promo_qr_url, &qrows, &qcols) != 0 ||
	    qcols + QR_GAP + text_min > COLS)
		return 0;
	cw = qcols;
	n = textw_wrap(caption(m), cw, lines, CAPTION_LINES);
	top = m->promo_is_ispeed ? wrapped_rows(ui_tr(m, "welcome.ispeed_title"), cw, 2) : 0;
	if (top + qrows + n > LINES - 1)
		top = 0;	/* short screens: the caption says it too */
	if (top + qrows + n > LINES - 1) {
		textw_free_lines(lines, n);
		return 0;
	}
	y = (LINES - 1 - (top + qrows + n)) / 2;
	if (top > 0)
		y += ui_centre_wrap(m, y, COLS - cw - 1, cw, ui_tr(m, "welcome.ispeed_title"),
		    A_BOLD, 2);
	ui_qr(m, y, COLS - qcols - 1, m->promo_qr_url);
	y += qrows;
	for (int i = 0; i < n; i++)
		ui_centre(m, y + i, COLS - cw - 1, cw, lines[i], A_NORMAL);
	textw_free_lines(lines, n);
	return cw + 1 + QR_GAP;
}

void
welcome_draw(const struct ui_model *m)
{
	int text_min = 40, w = COLS - promo_column(m, text_min), rows;

	rows = text_column(m, 0, 0, w, false);
	text_column(m, (LINES - 1 - rows) / 2 > 0 ? (LINES - 1 - rows) / 2 : 0, 0, w, true);
	draw_status(m, LINES - 1);
}
