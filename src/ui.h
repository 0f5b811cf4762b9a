/*
 * ui.h — the kiosk's screens on ncursesw. The UI renders one model struct and turns key presses
 * into actions; it owns no measurement or timing logic (kiosk.c does). Each screen is a module
 * (ui_welcome.c, ui_running.c, ui_result.c, ui_error.c, ui_staff.c) with a *_draw() and a
 * *_key(); ui.c switches between them and holds the drawing helpers and glyph sets they share.
 */
#ifndef TRAMDO_UI_H
#define TRAMDO_UI_H

#include <stdbool.h>

#include "bigtext.h"
#include "config.h"
#include "measure.h"
#include "qr.h"

struct i18n;

#define UI_MIN_COLS	80
#define UI_MIN_ROWS	24
#define UI_PIN_MAX	16
#define UI_ERRORS_MAX	5
#define UI_INFO_MAX	8

enum ui_screen { UI_WELCOME, UI_RUNNING, UI_RESULT, UI_ERROR, UI_STAFF };

/* What a key press asks the kiosk to do. */
enum ui_action {
	UI_NONE,
	UI_START,		/* Welcome: start a test */
	UI_LANG_EN, UI_LANG_VI,	/* Welcome: switch the language */
	UI_STAFF_KEY,		/* the staff key (Ctrl-T), see kiosk.c for the sequence */
	UI_CANCEL_ASK,		/* Running: Esc once */
	UI_CANCEL_NO,		/* Running: any other key while asked */
	UI_CANCEL_YES,		/* Running: Esc twice */
	UI_DISMISS,		/* Result or Error: back to Welcome */
	UI_PIN_CHANGED,		/* Staff: a digit typed or erased */
	UI_PIN_SUBMIT,		/* Staff: Enter after the PIN */
	UI_STAFF_BACK,		/* Staff: Esc */
	UI_EXIT			/* Staff (unlocked): X, leave the kiosk */
};

/* The glyphs a terminal can show: [kiosk] charset. */
struct ui_glyphs {
	const char	*h, *v, *tl, *tr, *bl, *br;	/* box lines */
	const char	*bar_on, *bar_off;		/* progress bar cells */
	const char	*ellipsis, *sep, *arrow, *mask;
	enum big_style	 big;
	enum qr_style	 qr;
	bool		 ascii_text;	/* strip diacritics from every string */
};

/* Everything the screens show. The kiosk fills it; the screens only read it (and the PIN). */
struct ui_model {
	enum ui_screen		 screen;
	const struct i18n	*tr;
	enum charset		 charset;	/* resolved: never CHARSET_AUTO */
	const struct bigfont	*font;		/* NULL: figures in plain text */

	/* Welcome, and the status line staff read. Empty strings and -1 hide a field. */
	const char	*station_name;
	const char	*prompt;		/* the staff's own welcome text, or NULL */
	const char	*promo_qr_url;		/* NULL or "": no QR code */
	int		 tests_today;
	int		 cooldown_left;		/* seconds before the next test may start */
	char		 clock[32];		/* "25/11/2026 13:05", updated once a minute */
	char		 status_server[96];
	char		 status_gps[64];	/* filled once GPS lands */
	int		 uploads_pending;	/* filled once uploads land; -1 hides it */

	/* Running */
	struct test_progress	 progress;
	bool			 confirm_cancel;

	/* Result */
	double		 latency_ms, jitter_ms, download_mbps, upload_mbps;
	double		 loaded_download_ms, loaded_upload_ms;	/* < 0: unknown */
	const char	*verdict_key;		/* catalog key */
	char		 result_text[256];	/* what the QR code holds */
	int		 back_left;		/* Result and Error: seconds until Welcome */

	/* Error */
	const char	*error_key;		/* catalog key of what went wrong */

	/* Staff */
	bool		 staff_unlocked;
	char		 pin[UI_PIN_MAX + 1];
	int		 pin_len;
	bool		 pin_wrong;
	int		 pin_locked_left;	/* seconds; > 0 ignores digits */
	struct {
		const char	*label_key;
		char		 value[128];
	}		 info[UI_INFO_MAX];
	int		 ninfo;
	char		 errors[UI_ERRORS_MAX][160];	/* newest first, English (from the log) */
	int		 nerrors;
};

/* Terminal setup and teardown; ui_open returns -1 when there is no terminal. */
int	ui_open(void);
void	ui_close(void);
/* After SIGWINCH: take the terminal's new size. */
void	ui_resize(void);
/* The key descriptor for poll(). */
int	ui_fd(void);
/* Next pending key (ncurses KEY_* or a character), or -1 when none. */
int	ui_read_key(void);
/* Redraw the whole screen from the model. */
void	ui_draw(const struct ui_model *m);
/* A key press on the current screen. */
enum ui_action ui_key(struct ui_model *m, int key);
const struct ui_glyphs *ui_glyphs(enum charset cs);

/* --- For the screen modules --- */
#define UI_KEY_FN(k)	(0x200000 + (k))	/* ncurses KEY_* codes, apart from characters */
#define UI_KEY_ESC	27
#define UI_KEY_STAFF	('T' & 0x1f)	/* Ctrl-T */

const char *ui_tr(const struct ui_model *m, const char *key);
/* "{n}" (or another placeholder) in a catalog text replaced by value; the result is static. */
const char *ui_subst(const char *text, const char *ph, const char *value);
/* value with a decimal comma: ui_number(95.34, 1) = "95,3". The result is static per slot. */
const char *ui_number(double value, int decimals, int slot);
/* Decimals the kiosk shows for a speed or a latency. */
int	ui_mbps_decimals(double mbps);
int	ui_ms_decimals(double ms);
/* Text drawn at y, centred between x0 and x0 + w, cut to w columns; returns rows used. */
int	ui_centre(const struct ui_model *m, int y, int x0, int w, const char *text, int attr);
/* Wrapped over at most maxrows lines, each centred; returns rows used. */
int	ui_centre_wrap(const struct ui_model *m, int y, int x0, int w, const char *text,
	    int attr, int maxrows);
/* Text at (y, x), cut to w columns. */
void	ui_text(const struct ui_model *m, int y, int x, int w, const char *text, int attr);
/* Rows and columns a figure takes in large digits (1 row when there is no font). */
int	ui_big_rows(const struct ui_model *m);
int	ui_big_cols(const struct ui_model *m, const char *text);
void	ui_big(const struct ui_model *m, int y, int x, const char *text, int attr);
/* A box outline. */
void	ui_box(const struct ui_model *m, int y, int x, int h, int w, int attr);
/* A progress bar of w cells, fraction 0..1. */
void	ui_bar(const struct ui_model *m, int y, int x, int w, double fraction);
/* A QR code of text at (y, x); returns 0, or -1 when it cannot be encoded. */
int	ui_qr_size(const struct ui_model *m, const char *text, int *rows, int *cols);
void	ui_qr(const struct ui_model *m, int y, int x, const char *text);

/* Colour pairs (attributes) the screens use; plain A_* attributes without colour. */
int	ui_attr_title(void);
int	ui_attr_prompt(void);
int	ui_attr_error(void);
int	ui_attr_dim(void);

void	welcome_draw(const struct ui_model *m);
enum ui_action welcome_key(struct ui_model *m, int key);
void	running_draw(const struct ui_model *m);
enum ui_action running_key(struct ui_model *m, int key);
void	result_draw(const struct ui_model *m);
enum ui_action result_key(struct ui_model *m, int key);
void	error_draw(const struct ui_model *m);
enum ui_action error_key(struct ui_model *m, int key);
void	staff_draw(const struct ui_model *m);
enum ui_action staff_key(struct ui_model *m, int key);

#endif
