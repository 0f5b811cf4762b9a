/* ui_result.c — the Result screen: four figures in large digits, a verdict, a QR code. */
#include "ui.h"
#include "textw.h"
#include "util.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct figure {
	const char	*label_key, *unit_key;
	char		 text[32];
};

static void
figures(const struct ui_model *m, struct figure f[4])
{
	const struct { const char *label, *unit; double v; bool ms; } src[4] = {
		{ "result.download", "result.mbps", m->download_mbps, false },
		{ "result.upload", "result.mbps", m->upload_mbps, false },
		{ "result.latency", "result.ms", m->latency_ms, true },
		{ "result.jitter", "result.ms", m->jitter_ms, true },
	};

	for (int i = 0; i < 4; i++) {
		int d = src[i].ms ? ui_ms_decimals(src[i].v) : ui_mbps_decimals(src[i].v);

		f[i].label_key = src[i].label;
		f[i].unit_key = src[i].unit;
		snprintf(f[i].text, sizeof f[i].text, "%s", ui_number(src[i].v, d, 0));
	}
}

static char *
label(const struct ui_model *m, const struct figure *f)
{
	return xasprintf("%s (%s)", ui_tr(m, f->label_key), ui_tr(m, f->unit_key));
}

/* Width of one grid cell: the widest figure or label, plus a margin. */
static int
cell_cols(const struct ui_model *m, const struct figure f[4])
{
	int w = 0;

	for (int i = 0; i < 4; i++) {
		char *l = label(m, &f[i]);
		int fw = ui_big_cols(m, f[i].text), lw = textw_width(l);

		free(l);
		if (fw > w)
			w = fw;
		if (lw > w)
			w = lw;
	}
	return w + 4;
}

static void
draw_cell(const struct ui_model *m, const struct figure *f, int y, int x, int w)
{
	char *l = label(m, f);

	ui_centre(m, y, x, w, l, A_NORMAL);
	ui_big(m, y + 1, x + textw_centre(ui_big_cols(m, f->text), w), f->text, A_BOLD);
	free(l);
}

/* Rows the screen needs with the figures in ncols columns: title, cells, four text lines. */
static int
needed_rows(const struct ui_model *m, int ncols)
{
	return 1 + (4 / ncols) * (1 + ui_big_rows(m)) + 4;
}

/*
 * The QR code goes right of the figures when it fits: beside a 2x2 grid, else beside the four
 * figures stacked (tall terminals), else it is left out (the figures matter most).
 */
static int
choose_columns(const struct ui_model *m, int cw, bool *qr, int *qrows, int *qcols)
{
	*qr = ui_qr_size(m, m->result_text, qrows, qcols) == 0 && *qrows + 1 <= LINES - 1;
	if (*qr && 2 * cw + *qcols + 4 <= COLS && needed_rows(m, 2) <= LINES)
		return 2;
	if (*qr && cw + *qcols + 4 <= COLS && needed_rows(m, 1) <= LINES)
		return 1;
	*qr = false;
	return 2;
}

void
result_draw(const struct ui_model *m)
{
	struct figure f[4];
	int cw, qrows = 0, qcols = 0, ncols, gw, w = COLS, y, cell_h, rows, gap;
	char n[16];
	bool qr, loaded = m->loaded_download_ms >= 0 && m->loaded_upload_ms >= 0;

	figures(m, f);
	cw = cell_cols(m, f);
	ncols = choose_columns(m, cw, &qr, &qrows, &qcols);
	gw = ncols * cw;
	cell_h = 1 + ui_big_rows(m);
	if (qr) {
		int qx = COLS - qcols - 2, qy = (LINES - qrows - 1) / 2;

		ui_qr(m, qy, qx, m->result_text);
		ui_centre(m, qy + qrows, qx, qcols, ui_tr(m, "result.qr"), A_NORMAL);
		w = qx - 1;
	}
	rows = needed_rows(m, ncols);
	/* Blank lines after the title, between cell rows and before the thanks, when room. */
	gap = LINES - rows >= 4 / ncols + 1 ? 1 : 0;
	y = (LINES - rows - (4 / ncols + 1) * gap) / 2;
	ui_centre(m, y, 0, w, ui_tr(m, "result.title"), ui_attr_title());
	y += 1 + gap;
	for (int i = 0; i < 4; i += ncols) {
		for (int c = 0; c < ncols; c++)
			draw_cell(m, &f[i + c], y, textw_centre(gw, w) + c * cw, cw);
		y += cell_h + (i + ncols < 4 ? gap : 0);
	}
	ui_centre(m, y++, 0, w, ui_tr(m, m->verdict_key), ui_attr_prompt());
	if (loaded) {
		char d[16], *t;

		snprintf(d, sizeof d, "%s", ui_number(m->loaded_download_ms, 0, 1));
		t = xstrdup(ui_subst(ui_tr(m, "result.loaded"), "{d}", d));
		ui_centre(m, y, 0, w, ui_subst(t, "{u}", ui_number(m->loaded_upload_ms, 0, 1)),
		    ui_attr_dim());
		free(t);
	}
	y += 1 + gap;
	ui_centre(m, y++, 0, w, ui_tr(m, "result.thanks"), A_BOLD);
	snprintf(n, sizeof n, "%d", m->back_left);
	ui_centre(m, y, 0, w, ui_subst(ui_tr(m, "result.back"), "{n}", n), ui_attr_dim());
}
