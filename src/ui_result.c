/*
 * ui_result.c — the Result screen, for people: the download speed as the one big figure, the
 * upload next, the latency in a line of text, what the line is good for as a word, a colour
 * and a sentence, whether it keeps steady, and a QR code to keep the result. The figures grow
 * with the screen.
 */
#include "ui.h"
#include "i18n.h"
#include "textw.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#define SCALE_MAX	4
#define QR_GAP		3
#define SCALE_KEPT	2	/* digits the QR code may not make smaller, where they fit */
#define FIGURES_MIN_COLS 36	/* "10000 Mbps" in the smallest digits, and a margin */

struct layout {
	int	x0, w;		/* the figures' column */
	int	scale;		/* download digits */
	int	up_scale;	/* upload digits; 0: a line of text */
	bool	qr;
	int	qrows, qcols;
	bool	gaps;		/* blank lines between the blocks */
};

/* Rows text takes wrapped into w columns (at most 3). */
static int
wrapped_rows(const char *text, int w)
{
	char *lines[3];
	int n = textw_wrap(text, w, lines, 3);

	textw_free_lines(lines, n);
	return n;
}

/* The verdict's rows: the word and the sentence on one line, or the sentence wrapped under it. */
static int
verdict_rows(const struct ui_model *m, int w)
{
	const char *sentence;

	if (m->verdict_key == NULL)
		return 0;
	sentence = ui_tr(m, m->verdict_key);
	if (textw_width(ui_tr(m, m->rating_key)) + 3 + textw_width(sentence) <= w)
		return 1;
	return 1 + wrapped_rows(sentence, w);
}

/*
 * Rows the figures' column needs: title and note (2), the download's label and digits, the
 * upload's (or its line of text), the latency line, the verdict, the steadiness, the footer
 * (2), and four blank lines between the blocks when there is room.
 */
static int
needed_rows(const struct ui_model *m, const struct layout *l)
{
	int upload = l->up_scale > 0 ? 1 + ui_big_rows(m, l->up_scale) : 1;
	int steady = m->steadiness_key != NULL ? wrapped_rows(ui_tr(m, m->steadiness_key), l->w) : 0;

	return 2 + 1 + ui_big_rows(m, l->scale) + upload + 1 + verdict_rows(m, l->w) + steady +
	    2 + (l->gaps ? 4 : 0);
}

/* Columns a figure takes with its unit after it. */
static int
figure_cols(const struct ui_model *m, const char *text, int scale)
{
	return ui_big_cols(m, text, scale) + 1 + textw_width(ui_tr(m, "result.mbps"));
}

static void
figure_text(const struct ui_model *m, double v, bool ms, char *buf, size_t len, int slot)
{
	snprintf(buf, len, "%s", ui_number(m, v, ms ? ui_ms_decimals(v) : ui_mbps_decimals(v), slot));
}

/*
 * The largest download digits that fit with the upload in digits too (half as large from 3x up)
 * and blank lines between the blocks; then without the blank lines; only where no size leaves
 * room for the upload's digits does it become a line of text.
 */
static bool
fit(const struct ui_model *m, struct layout *l)
{
	char d[32], u[32];

	figure_text(m, m->download_mbps, false, d, sizeof d, 0);
	figure_text(m, m->upload_mbps, false, u, sizeof u, 1);
	/* an upload not measured (a partial result) is a line of text, never digits */
	for (int text = m->upload_mbps < 0; text <= 1; text++) {
		for (int gaps = 1; gaps >= 0; gaps--) {
			for (l->scale = SCALE_MAX; l->scale >= 1; l->scale--) {
				l->up_scale = text ? 0 : l->scale > 2 ? l->scale / 2 : 1;
				l->gaps = gaps;
				if (figure_cols(m, d, l->scale) + 2 <= l->w &&
				    (text || figure_cols(m, u, l->up_scale) + 2 <= l->w) &&
				    needed_rows(m, l) <= LINES)
					return true;
			}
		}
	}
	l->scale = 1;
	l->up_scale = 0;
	return false;
}

/*
 * The QR code beside the figures when both fit, else the figures alone: they matter most, so
 * where the screen has room for 7-row digits (SCALE_KEPT) the code never makes them smaller.
 */
static void
choose_layout(const struct ui_model *m, struct layout *l)
{
	struct layout alone = { .x0 = 0, .w = COLS };
	int kept;

	fit(m, &alone);
	kept = alone.scale < SCALE_KEPT ? alone.scale : SCALE_KEPT;
	if (ui_qr_size(m, m->result_text, &l->qrows, &l->qcols) == 0 && l->qrows + 1 <= LINES) {
		l->qr = true;
		l->x0 = 0;
		l->w = COLS - l->qcols - 1 - QR_GAP;
		if (l->w >= FIGURES_MIN_COLS && fit(m, l) && l->scale >= kept)
			return;
	}
	*l = alone;
	l->qr = false;
}

/* A label, then the figure in large digits (with its unit after it), centred in the column. */
static int
big_figure(const struct ui_model *m, const struct layout *l, int y, const char *label_key,
    const char *text, int scale)
{
	const char *unit = ui_tr(m, "result.mbps");
	int fw = ui_big_cols(m, text, scale), uw = textw_width(unit) + 1;
	int x = l->x0 + textw_centre(fw + uw, l->w), rows = ui_big_rows(m, scale);

	ui_centre(m, y, l->x0, l->w, ui_tr(m, label_key), A_BOLD);
	ui_big(m, y + 1, x, text, scale, A_BOLD);
	ui_text(m, y + rows, x + fw + 1, uw, unit, A_BOLD);
	return 1 + rows;
}

/* "Tốt" in its colour, then the sentence; wrapped under it when the line is too short. */
static int
verdict(const struct ui_model *m, const struct layout *l, int y)
{
	char *word = xasprintf(" %s ", ui_tr(m, m->rating_key));
	const char *sentence = ui_tr(m, m->verdict_key);
	int ww = textw_width(word), sw = textw_width(sentence), x;

	if (ww + 1 + sw <= l->w) {
		x = l->x0 + textw_centre(ww + 1 + sw, l->w);
		ui_text(m, y, x, ww, word, ui_attr_rating(m->rating));
		ui_text(m, y, x + ww + 1, sw, sentence, A_BOLD);
		free(word);
		return 1;
	}
	ui_centre(m, y, l->x0, l->w, word, ui_attr_rating(m->rating));
	free(word);
	return 1 + ui_centre_wrap(m, y + 1, l->x0, l->w, sentence, A_BOLD, 3);
}

static void
footer(const struct ui_model *m, const struct layout *l, int y)
{
	char n[16], *text;

	ui_centre(m, y, l->x0, l->w, ui_tr(m, "result.thanks"), A_BOLD);
	/* While keys are ignored, say only that it goes back by itself: a key would do nothing. */
	snprintf(n, sizeof n, "%d", m->back_left);
	text = i18n_fill(ui_tr(m, m->keys_left > 0 ? "result.wait" : "result.back"), "n", n, FILL_END);
	ui_centre(m, y + 1, l->x0, l->w, text, A_NORMAL);
	free(text);
}

void
result_draw(const struct ui_model *m)
{
	struct layout l;
	char d[32], u[32], lat[32], *text;
	int y;

	choose_layout(m, &l);
	if (l.qr) {
		int qx = COLS - l.qcols - 1, qy = (LINES - l.qrows - 1) / 2;

		ui_qr(m, qy, qx, m->result_text);
		ui_centre(m, qy + l.qrows, qx, l.qcols, ui_tr(m, "result.qr"), A_NORMAL);
	}
	figure_text(m, m->download_mbps, false, d, sizeof d, 0);
	figure_text(m, m->upload_mbps, false, u, sizeof u, 1);
	figure_text(m, m->latency_ms, true, lat, sizeof lat, 2);
	y = (LINES - needed_rows(m, &l)) / 2;
	if (y < 0)
		y = 0;
	ui_centre(m, y++, l.x0, l.w, ui_tr(m, "result.title"), ui_attr_title());
	ui_centre(m, y++, l.x0, l.w, ui_tr(m, "result.centre"), A_NORMAL);
	y += l.gaps;
	y += big_figure(m, &l, y, "result.download", d, l.scale) + l.gaps;
	if (l.up_scale > 0) {
		y += big_figure(m, &l, y, "result.upload", u, l.up_scale);
	} else if (m->upload_mbps < 0) {
		ui_centre(m, y++, l.x0, l.w, ui_tr(m, "result.upload_not_measured"), A_BOLD);
	} else {
		text = i18n_fill(ui_tr(m, "result.upload_line"), "u", u, FILL_END);
		ui_centre(m, y++, l.x0, l.w, text, A_BOLD);
		free(text);
	}
	text = i18n_fill(ui_tr(m, "result.latency_line"), "l", lat, FILL_END);
	ui_centre(m, y++, l.x0, l.w, text, A_BOLD);
	free(text);
	y += l.gaps;
	if (m->verdict_key != NULL)	/* none for a result without its upload */
		y += verdict(m, &l, y);
	if (m->steadiness_key != NULL)
		y += ui_centre_wrap(m, y, l.x0, l.w, ui_tr(m, m->steadiness_key), A_NORMAL, 3);
	y += l.gaps;
	footer(m, &l, y);
}
