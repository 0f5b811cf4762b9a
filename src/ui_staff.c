/* ui_staff.c — the Staff screen: PIN entry, then status and the only way out of the kiosk. */
#include "ui.h"
#include "textw.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		snprintf(n, sizeof n, "%d", m->pin_locked_left);
		ui_centre(m, y + 8, 0, COLS, ui_subst(ui_tr(m, "staff.pin_locked"), "{n}", n),
		    ui_attr_error());
	} else if (m->pin_wrong)
		ui_centre(m, y + 8, 0, COLS, ui_tr(m, "staff.pin_wrong"), ui_attr_error());
	free(mask);
}

static void
draw_status(const struct ui_model *m)
{
	int x = 4, w = COLS - 8, y = 1;

	ui_centre(m, y, 0, COLS, ui_tr(m, "staff.title"), ui_attr_title());
	y += 2;
	for (int i = 0; i < m->ninfo && y < LINES - 6; i++, y++) {
		char *line = xasprintf("%s: %s", ui_tr(m, m->info[i].label_key), m->info[i].value);

		ui_text(m, y, x, w, line, A_NORMAL);
		free(line);
	}
	y++;
	ui_text(m, y++, x, w, ui_tr(m, "staff.errors"), A_BOLD);
	if (m->nerrors == 0)
		ui_text(m, y++, x + 2, w - 2, ui_tr(m, "staff.no_errors"), ui_attr_dim());
	for (int i = 0; i < m->nerrors && y < LINES - 3; i++)
		ui_text(m, y++, x + 2, w - 2, m->errors[i], A_NORMAL);
	ui_text(m, LINES - 2, x, w / 2, ui_tr(m, "staff.exit"), A_BOLD);
	ui_text(m, LINES - 2, x + w / 2, w / 2, ui_tr(m, "staff.back"), A_NORMAL);
}

void
staff_draw(const struct ui_model *m)
{
	if (m->staff_unlocked)
		draw_status(m);
	else
		draw_pin(m);
}
