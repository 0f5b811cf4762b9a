/* ui_error.c — the Error screen: what went wrong in plain words, and whom to tell. */
#include "ui.h"
#include "i18n.h"
#include "textw.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#define BOX_MAX_COLS	70

void
error_draw(const struct ui_model *m)
{
	int bw = COLS - 8 < BOX_MAX_COLS ? COLS - 8 : BOX_MAX_COLS, bh = 9;
	int bx = (COLS - bw) / 2, y = (LINES - bh - 2) / 2;
	char n[16];

	attron(ui_attr_error());
	for (int i = 0; i < bh; i++)
		mvhline(y + i, bx, ' ', bw);
	attroff(ui_attr_error());
	ui_box(m, y, bx, bh, bw, ui_attr_error());
	ui_centre(m, y + 2, bx, bw, ui_tr(m, "error.title"), ui_attr_error());
	ui_centre_wrap(m, y + 4, bx + 2, bw - 4,
	    ui_tr(m, m->error_key != NULL ? m->error_key : "error.internal"), ui_attr_error(), 2);
	ui_centre(m, y + 6, bx, bw, ui_tr(m, "error.tell_staff"), ui_attr_error());
	if (m->back_left > 0) {
		char *text;

		snprintf(n, sizeof n, "%d", m->back_left);
		text = i18n_fill(ui_tr(m, "error.back"), "n", n, FILL_END);
		ui_centre(m, y + bh + 1, 0, COLS, text, A_BOLD);
		free(text);
	}
}
