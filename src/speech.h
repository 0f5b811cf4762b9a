/*
 * speech.h — the kiosk's voice ([kiosk] speech = yes): a sentence spoken by a `tramdo say`
 * child process, so the kiosk's loop never waits for a synthesis or a sound card; one voice at
 * a time. And the pure functions that make the sentence: numbers as Vietnamese words, and the
 * catalog's template (speech.result) filled with the verdict and the figures.
 */
#ifndef TRAMDO_SPEECH_H
#define TRAMDO_SPEECH_H

#include <stddef.h>

struct speech;

/*
 * self_exe is the tramdo binary the children run; NULL means /proc/self/exe, the running
 * binary even after an upgrade replaced its file. Never NULL; spawns nothing yet.
 */
struct speech	*speech_new(const char *self_exe);
/*
 * Starts `self_exe say --lang LANG -- TEXT` and returns at once; a voice still speaking is
 * stopped first (SIGTERM). The child starts with an empty signal mask, default signal
 * dispositions, /dev/null as stdin, stdout and stderr, and no other descriptor of the kiosk.
 * 0, or -1 with errno (EBUSY: earlier voices ignore SIGTERM and are not reaped yet).
 */
int		 speech_say(struct speech *s, const char *lang, const char *text);
/*
 * Reaps this module's children that have ended, never waiting and never touching other
 * children of the process: call it when SIGCHLD arrives. A voice that fails (no sound device,
 * no voice data) is logged once, until one succeeds again. NULL (no voice) is a no-op, here
 * and in speech_stop and speech_free.
 */
void		 speech_reap(struct speech *s);
/* Stops the voice speaking now, if any (SIGTERM), without waiting: e.g. when a test starts. */
void		 speech_stop(struct speech *s);
/* Stops any voice (SIGKILL, so the wait for it is short) and reaps it; NULL is a no-op. */
void		 speech_free(struct speech *s);

/*
 * value rounded to decimals places (0..6), in Vietnamese words: 95.3 with 1 decimal is "chín
 * mươi lăm phẩy ba"; the decimals are read digit by digit, trailing zeros dropped. Up to
 * 999 999 999 999; negative values start with "âm". 0, or -1 (NaN, infinite, too large, bad
 * decimals, or out too small — out is then "" when len > 0).
 */
int	speech_number_vi(double value, int decimals, char *out, size_t len);
/*
 * The spoken result: template with each {verdict}, {d} and {u} replaced by verdict and the
 * download and upload speeds in Mbps, with as many decimals as the result screen shows —
 * as Vietnamese words when lang is "vi", else digits with a decimal point (espeak reads
 * "95.3" itself). 0, or -1 (a speed unknown, i.e. negative or NaN, or out too small).
 */
int	speech_result_text(const char *template, const char *verdict, double down_mbps,
	    double up_mbps, const char *lang, char *out, size_t len);

#endif
