/*
 * ui.h — the kiosk's screens on ncursesw. The UI renders one model struct; what a key means and
 * when a screen changes is the kiosk's state machine's (kiosk_fsm.c), so that behaviour can be
 * tested without a terminal. Each screen is a module (ui_welcome.c, ui_running.c, ui_result.c,
 * ui_error.c, ui_staff.c) with a *_draw(); ui.c switches between them, reads keys, and holds
 * the drawing helpers and glyph sets they share.
 */
#ifndef TRAMDO_UI_H
#define TRAMDO_UI_H

#include <stdbool.h>

#include "bigtext.h"
#include "config.h"
#include "model.h"
#include "qr.h"

struct i18n;

#define UI_MIN_COLS	80
#define UI_MIN_ROWS	24
#define UI_PROBLEMS_MAX	5
#define UI_INFO_MAX	8
#define UI_SINKS_MAX	3

enum ui_screen { UI_WELCOME, UI_RUNNING, UI_RESULT, UI_ERROR, UI_STAFF };

/* The glyphs a terminal can show: [kiosk] charset. */
struct ui_glyphs {
	const char	*h, *v, *tl, *tr, *bl, *br;	/* box lines */
	const char	*bar_on, *bar_off;		/* progress bar cells */
	const char	*ellipsis, *sep, *arrow, *mask;
	enum big_style	 big;
	enum qr_style	 qr;
	bool		 ascii_text;	/* strip diacritics from every string */
};

/* A problem staff should know of, newest first on the staff screen. */
struct ui_problem {
	char		 when[8];	/* "14:05", local time */
	const char	*key;		/* catalog key of the sentence ("problem.no_server") */
	char		 detail[512];	/* English, as in the log: the raw text, shown smaller */
};

/* One collector, as the staff screen shows it. */
struct ui_sink {
	char	name[16];
	long	pending;		/* results waiting to be sent */
	char	last_sent[24];		/* "29/11 14:05", or "" never */
	double	last_sent_at;		/* the same, epoch s; -1 never (for the metrics file) */
};

/* Everything the screens show. The kiosk fills it; the screens only read it. */
struct ui_model {
	enum ui_screen		 screen;
	const struct i18n	*tr;
	enum charset		 charset;	/* resolved: never CHARSET_AUTO */
	const struct bigfont	*font;		/* NULL: figures in plain text */

	/* Welcome, and the status line staff read. Empty strings and -1 hide a field. */
	const char	*station_name;
	const char	*commune;		/* [station] commune, or "" */
	const char	*prompt;		/* the staff's own welcome text, or NULL */
	const char	*promo_qr_url;		/* NULL or "": no QR code */
	const char	*promo_caption;		/* what the code is for; NULL: the catalog's */
	bool		 promo_is_ispeed;	/* the code leads to i-Speed: its own caption */
	int		 test_seconds;		/* how long a test takes at most, rounded up */
	int		 tests_today;		/* good tests since midnight */
	int		 tests_month;		/* good tests this month; -1 unknown */
	int		 month;			/* 1..12 */
	int		 cooldown_left;		/* seconds before the next test may start */
	bool		 out_of_service;	/* too many failed tests: retrying by itself */
	int		 retry_left;		/* out of service: seconds to the next try */
	char		 clock[32];		/* "25/11/2026 13:05", updated once a minute */
	char		 status_server[96];
	char		 status_gps[64];
	int		 gps_state;		/* enum gps_state (gps.h) of status_gps */
	int		 gps_satellites;	/* used in the fix; -1 unknown */
	int		 uploads_pending;	/* -1 hides it */

	/* Running */
	struct test_progress	 progress;
	bool			 confirm_cancel;

	/* Result */
	double		 latency_ms, jitter_ms, download_mbps, upload_mbps;
	double		 loaded_download_ms, loaded_upload_ms;	/* < 0: unknown */
	int		 ipv6;			/* the last test's: 1 works, 0 does not, -1 unknown */
	int		 ip_version;		/* 4 or 6: the family it ran over; 0 unknown */
	const char	*verdict_key;		/* catalog key of the sentence; NULL: no verdict */
	const char	*rating_key;		/* catalog key of the word: "rating.good" … */
	int		 rating;		/* enum rating (verdict.h): the colour */
	const char	*steadiness_key;	/* catalog key, or NULL */
	char		 result_text[512];	/* what the QR code holds: a link or a short text */
	int		 back_left;		/* Result and Error: seconds until Welcome */
	int		 keys_left;		/* Result: seconds before a key returns */

	/* Error */
	const char	*error_key;		/* catalog key of what went wrong */

	/* Staff */
	bool		 staff_unlocked;
	int		 pin_len;		/* digits typed (never the digits themselves) */
	bool		 pin_wrong;
	int		 pin_locked_left;	/* seconds; > 0 ignores digits */
	bool		 can_test;		/* the staff screen may start a test (config is good) */
	int		 today_good, today_failed;	/* -1 unknown */
	struct ui_sink	 sinks[UI_SINKS_MAX];
	int		 nsinks;
	struct {
		const char	*label_key;
		char		 value[128];
	}		 info[UI_INFO_MAX];
	int		 ninfo;
	struct ui_problem problems[UI_PROBLEMS_MAX];	/* newest first */
	int		 nproblems;
};

/* Terminal setup and teardown; ui_open returns -1 when there is no terminal. */
int	ui_open(void);
void	ui_close(void);
/* After SIGWINCH: take the terminal's new size. */
void	ui_resize(void);
/* The key descriptor for poll(). */
int	ui_fd(void);
/* Next pending key as kiosk_fsm.h counts keys (a character, KEY_RETURN, KEY_OTHER …), or -1. */
int	ui_read_key(void);
/* Redraw the whole screen from the model. */
void	ui_draw(const struct ui_model *m);
const struct ui_glyphs *ui_glyphs(enum charset cs);

/* --- For the screen modules --- */
const char *ui_tr(const struct ui_model *m, const char *key);
/* value with the language's decimal mark: "95,3" in vi. The result is static per slot (0..3). */
const char *ui_number(const struct ui_model *m, double value, int decimals, int slot);
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
/* Rows and columns a figure takes in large digits scale times as large (1 row without a font). */
int	ui_big_rows(const struct ui_model *m, int scale);
int	ui_big_cols(const struct ui_model *m, const char *text, int scale);
void	ui_big(const struct ui_model *m, int y, int x, const char *text, int scale, int attr);
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
/* The verdict's colour (enum rating): green, yellow, red — always with its word beside it. */
int	ui_attr_rating(int rating);

void	welcome_draw(const struct ui_model *m);
void	running_draw(const struct ui_model *m);
void	result_draw(const struct ui_model *m);
void	error_draw(const struct ui_model *m);
void	staff_draw(const struct ui_model *m);

#endif
