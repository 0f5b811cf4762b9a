/* ui_running.c — the Running screen: phase, progress bar, the live figure in large digits. */
#include "ui.h"
#include "textw.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define BAR_MAX_COLS	60

static const struct {
	enum test_phase	 phase;
	const char		*key;
} steps[] = {
	{ PHASE_LATENCY, "running.latency" },
	{ PHASE_DOWNLOAD, "running.download" },
	{ PHASE_UPLOAD, "running.upload" },
};
#define NSTEPS ((int)(sizeof steps / sizeof steps[0]))

/* "Độ trễ → Tải xuống → Tải lên": the current step bold and reversed, the others plain. */
static void
draw_steps(const struct ui_model *m, int y)
{
	const struct ui_glyphs *g = ui_glyphs(m->charset);
	int total = 0, x;

	for (int i = 0; i < NSTEPS; i++)
		total += textw_width(ui_tr(m, steps[i].key)) +
		    (i > 0 ? textw_width(g->arrow) : 0);
	x = textw_centre(total, COLS);
	for (int i = 0; i < NSTEPS; i++) {
		const char *t = ui_tr(m, steps[i].key);
		int attr = m->progress.phase == steps[i].phase ? (int)(A_BOLD | A_REVERSE) :
		    A_NORMAL;

		if (i > 0) {
			ui_text(m, y, x, COLS - x, g->arrow, A_NORMAL);
			x += textw_width(g->arrow);
		}
		ui_text(m, y, x, COLS - x, t, attr);
		x += textw_width(t);
	}
}

void
running_draw(const struct ui_model *m)
{
	const struct test_progress *p = &m->progress;
	bool speed = p->phase == PHASE_DOWNLOAD || p->phase == PHASE_UPLOAD;
	double v = speed ? p->mbps_now : p->latency_ms;
	const char *fig = v > 0 ? ui_number(m, v, speed ? ui_mbps_decimals(v) : ui_ms_decimals(v),
	    0) : "0";
	int bw = COLS - 20 < BAR_MAX_COLS ? COLS - 20 : BAR_MAX_COLS, scale = 2, rows, y;

	/* title, gap, steps, gap, bar, gap, digits, gap, unit, gap, the cancel hint (2) */
	while (scale > 1 && (10 + ui_big_rows(m, scale) > LINES ||
	    ui_big_cols(m, "8888,8", scale) > COLS - 4))
		scale--;
	rows = 10 + ui_big_rows(m, scale);
	y = (LINES - rows) / 2;

	ui_centre(m, y++, 0, COLS, ui_tr(m, "running.title"), ui_attr_title());
	y++;
	if (p->phase == PHASE_SELECT)
		ui_centre(m, y, 0, COLS, ui_tr(m, "running.select"), A_BOLD);
	else
		draw_steps(m, y);
	y += 2;
	ui_bar(m, y, (COLS - bw) / 2, bw, p->overall_fraction);
	y += 2;
	if (p->phase != PHASE_SELECT) {
		ui_big(m, y, textw_centre(ui_big_cols(m, fig, scale), COLS), fig, scale, A_BOLD);
		ui_centre(m, y + ui_big_rows(m, scale) + 1, 0, COLS,
		    ui_tr(m, speed ? "running.mbps" : "result.ms"), A_BOLD);
	}
	y += ui_big_rows(m, scale) + 3;
	if (m->confirm_cancel)
		ui_centre_wrap(m, y, 2, COLS - 4, ui_tr(m, "running.confirm_cancel"),
		    ui_attr_error(), 2);
	else
		ui_centre(m, y, 0, COLS, ui_tr(m, "running.cancel_hint"), A_NORMAL);
}
