/* ui_welcome.c — the Welcome screen: station, the one-key prompt, today's count, promo QR. */
#include "ui.h"
#include "textw.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPT_ROWS	3

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

/* The prompt in a box; returns the rows used. */
static int
draw_prompt(const struct ui_model *m, int y, int x0, int w)
{
	const char *text = m->prompt != NULL && *m->prompt != '\0' ? m->prompt :
	    ui_tr(m, "welcome.prompt");
	char *lines[PROMPT_ROWS];
	int n = textw_wrap(text, w - 6, lines, PROMPT_ROWS), bw = 0, bx;

	for (int i = 0; i < n; i++)
		if (textw_width(lines[i]) > bw)
			bw = textw_width(lines[i]);
	bw += 6;
	bx = x0 + textw_centre(bw, w);
	attron(ui_attr_prompt());
	for (int i = 0; i < n + 2; i++)
		mvhline(y + 1 + i, bx + 1, ' ', bw - 2);
	attroff(ui_attr_prompt());
	ui_box(m, y, bx, n + 4, bw, ui_attr_prompt());
	for (int i = 0; i < n; i++)
		ui_centre(m, y + 2 + i, bx, bw, lines[i], ui_attr_prompt());
	textw_free_lines(lines, n);
	return n + 4;
}

/* Rows the text column takes, for centring it vertically. */
static int
text_rows(const struct ui_model *m, int w)
{
	const char *text = m->prompt != NULL && *m->prompt != '\0' ? m->prompt :
	    ui_tr(m, "welcome.prompt");
	char *lines[PROMPT_ROWS];
	int n = textw_wrap(text, w - 6, lines, PROMPT_ROWS);

	textw_free_lines(lines, n);
	/* station, title, gap, box, gap, free line, gap, cooldown, gap, count, language */
	return 3 + n + 4 + 1 + 1 + 1 + 1 + 1 + 1 + 1;
}

void
welcome_draw(const struct ui_model *m)
{
	int qrows = 0, qcols = 0, x0 = 0, w = COLS, y;
	bool qr = m->promo_qr_url != NULL &&
	    ui_qr_size(m, m->promo_qr_url, &qrows, &qcols) == 0 &&
	    qrows + 2 <= LINES - 1 && qcols + 44 <= COLS;
	char count[32], *line;

	if (qr) {
		int qx = COLS - qcols - 2, qy = (LINES - 1 - qrows - 1) / 2;

		ui_qr(m, qy, qx, m->promo_qr_url);
		ui_centre(m, qy + qrows, qx, qcols, ui_tr(m, "welcome.promo"), A_NORMAL);
		w = qx - 2;
	}
	y = (LINES - 1 - text_rows(m, w)) / 2;
	if (m->station_name != NULL && *m->station_name != '\0')
		ui_centre(m, y, x0, w, m->station_name, ui_attr_title());
	y++;
	ui_centre(m, y++, x0, w, ui_tr(m, "app.title"), A_NORMAL);
	y++;
	y += draw_prompt(m, y, x0, w);
	y++;
	ui_centre(m, y++, x0, w, ui_tr(m, "welcome.free"), A_NORMAL);
	y++;
	if (m->cooldown_left > 0) {
		snprintf(count, sizeof count, "%d", m->cooldown_left);
		ui_centre(m, y, x0, w, ui_subst(ui_tr(m, "welcome.cooldown"), "{n}", count),
		    A_BOLD);
	}
	y += 2;
	line = xasprintf("%s: %d", ui_tr(m, "welcome.tests_today"), m->tests_today);
	ui_centre(m, y++, x0, w, line, A_NORMAL);
	free(line);
	ui_centre(m, y, x0, w, ui_tr(m, "welcome.language"), A_NORMAL);
	draw_status(m, LINES - 1);
}
