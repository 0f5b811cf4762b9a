/*
 * cmd_say.c — `tramdo say [--lang vi|en] [--wav FILE] TEXT`: TEXT spoken by libespeak-ng, on
 * the sound device or into a RIFF/WAVE file. Staff check the speakers with it, tests render
 * sentences with it, and the kiosk speaks through it: speech.c runs it as a child process, so
 * a synthesis that takes seconds (or a sound card that hangs) never blocks the kiosk's loop.
 *
 * It loads no configuration and writes no state of tramdo's: main.c lets it run as root.
 */
#include <errno.h>
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "textw.h"
#include "util.h"

#define SAY_TEXT_MAX		4096	/* bytes; a kiosk sentence is ~200 */
#define SAY_WAV_MAX_SECONDS	600	/* far beyond SAY_TEXT_MAX spoken; keeps the RIFF sizes 32-bit */
#define SAY_SILENCE_PEAK	64	/* of 32767 (-54 dB): below it, nothing was spoken */

/* The samples of a --wav rendering, gathered by espeak's synth callback. */
struct pcm {
	int16_t	*v;
	size_t	 n, cap, max;
	int	 rate;
};

static int
usage(void)
{
	fprintf(stderr, "usage: tramdo say [--lang vi|en] [--wav FILE] TEXT\n");
	return 2;
}

static void
say_error(const char *what, espeak_ng_STATUS st)
{
	char msg[256];

	espeak_ng_GetStatusCodeMessage(st, msg, sizeof msg);
	fprintf(stderr, "tramdo say: %s (espeak-ng: %s)\n", what, msg);
}

/* espeak's synth callback (--wav): keeps the samples; non-zero stops the synthesis. */
static int
gather(short *wav, int n, espeak_EVENT *events)
{
	struct pcm *p = events[0].user_data;

	if (wav == NULL || n <= 0)
		return 0;
	if (p->n + (size_t)n > p->max)
		return 1;
	if (p->n + (size_t)n > p->cap) {
		p->cap = (p->n + (size_t)n) * 2;
		p->v = xrealloc(p->v, p->cap * sizeof *p->v);
	}
	memcpy(p->v + p->n, wav, (size_t)n * sizeof *wav);
	p->n += (size_t)n;
	return 0;
}

static void
put_le(unsigned char *at, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		at[i] = (unsigned char)(v >> (8 * i));
}

/* A chunk's four-letter name, without its NUL. */
static void
put_tag(unsigned char *at, const char *tag)
{
	for (int i = 0; i < 4; i++)
		at[i] = (unsigned char)tag[i];
}

/* A canonical 44-byte header: PCM, mono, 16-bit, then the data chunk. */
static void
wav_header(unsigned char h[44], int rate, uint32_t data_bytes)
{
	put_tag(h, "RIFF");
	put_le(h + 4, 36 + data_bytes, 4);
	put_tag(h + 8, "WAVE");
	put_tag(h + 12, "fmt ");
	put_le(h + 16, 16, 4);			/* fmt chunk size */
	put_le(h + 20, 1, 2);			/* PCM */
	put_le(h + 22, 1, 2);			/* mono */
	put_le(h + 24, (uint32_t)rate, 4);
	put_le(h + 28, (uint32_t)rate * 2, 4);	/* bytes per second */
	put_le(h + 32, 2, 2);			/* bytes per frame */
	put_le(h + 34, 16, 2);			/* bits per sample */
	put_tag(h + 36, "data");
	put_le(h + 40, data_bytes, 4);
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The samples as a WAV file on fd; 0, or -1 with errno. */
static int
wav_write(int fd, const struct pcm *p)
{
	size_t bytes = p->n * 2;
	unsigned char h[44], *data = xmalloc(bytes > 0 ? bytes : 1);
	int rc;

	wav_header(h, p->rate, (uint32_t)bytes);
	for (size_t i = 0; i < p->n; i++)
		put_le(data + 2 * i, (uint16_t)p->v[i], 2);
	rc = write_all(fd, h, sizeof h) == 0 && write_all(fd, data, bytes) == 0 ? 0 : -1;
	free(data);
	return rc;
}

/*
 * espeak-ng ready to speak lang: on the sound device (synchronous playback: espeak's
 * AUDIO_OUTPUT_SYNCH_PLAYBACK) or, with pcm, into it through the synth callback.
 */
static int
voice_open(const char *lang, struct pcm *pcm)
{
	espeak_ng_ERROR_CONTEXT ctx = NULL;
	espeak_ng_STATUS st;

	espeak_ng_InitializePath(NULL);
	if ((st = espeak_ng_Initialize(&ctx)) != ENS_OK) {
		say_error("cannot load espeak-ng's voice data (is the package espeak-ng-data "
		    "installed?)", st);
		espeak_ng_ClearErrorContext(&ctx);
		return -1;
	}
	st = espeak_ng_InitializeOutput(pcm != NULL ? ENOUTPUT_MODE_SYNCHRONOUS :
	    ENOUTPUT_MODE_SYNCHRONOUS | ENOUTPUT_MODE_SPEAK_AUDIO, 0, NULL);
	if (st != ENS_OK) {
		say_error(pcm != NULL ? "cannot start espeak-ng" :
		    "no sound device to play on (--wav FILE writes a file instead)", st);
		return -1;
	}
	if (espeak_ng_SetVoiceByName(lang) != ENS_OK) {
		fprintf(stderr, "tramdo say: espeak-ng has no '%s' voice (is the package "
		    "espeak-ng-data complete?)\n", lang);
		return -1;
	}
	if (pcm != NULL) {
		pcm->rate = espeak_ng_GetSampleRate();
		pcm->max = (size_t)pcm->rate * SAY_WAV_MAX_SECONDS;
		espeak_SetSynthCallback(gather);
	}
	return 0;
}

/*
 * Our message comes after espeak_ng_Terminate: libespeak-ng and ALSA print their own lines on
 * the way out, and staff should read the one that says what to do last.
 */
static int
speak(const char *lang, const char *text, struct pcm *pcm)
{
	espeak_ng_STATUS st;

	if (voice_open(lang, pcm) != 0) {
		espeak_ng_Terminate();
		return -1;
	}
	st = espeak_ng_Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
	    NULL, pcm);
	espeak_ng_Terminate();
	if (st == ENS_AUDIO_ERROR)
		say_error("no sound device to play on (--wav FILE writes a file instead)", st);
	else if (st == ENS_SPEECH_STOPPED)
		fprintf(stderr, "tramdo say: the text takes more than %d seconds to say\n",
		    SAY_WAV_MAX_SECONDS);
	else if (st != ENS_OK)
		say_error("cannot synthesise the text", st);
	return st == ENS_OK ? 0 : -1;
}

/* The words after the options, joined by one space (`tramdo say Xin chào` needs no quotes). */
static char *
joined(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xcalloc(1, len);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static const char *
text_problem(const char *s)
{
	size_t len = strlen(s);
	uint32_t cp;

	if (len == 0)
		return "nothing to say: TEXT is empty";
	if (len > SAY_TEXT_MAX)
		return "TEXT is too long (more than 4096 bytes)";
	while (len > 0) {
		size_t n = textw_decode(s, len, &cp);

		if (cp == 0xfffd)
			return "TEXT is not valid UTF-8";
		s += n;
		len -= n;
	}
	return NULL;
}

/*
 * A voice whose dictionary is missing loads without error in espeak-ng 1.51 (it only prints
 * "Can't read dictionary file") and renders silence: say so rather than write a silent file.
 */
static bool
audible(const struct pcm *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (abs(p->v[i]) >= SAY_SILENCE_PEAK)
			return true;
	return false;
}

static int
say_to_wav(const char *path, const char *lang, const char *text)
{
	struct pcm pcm = { 0 };
	int fd, rc = 1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "tramdo say: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (speak(lang, text, &pcm) == 0) {
		if (!audible(&pcm))
			fprintf(stderr, "tramdo say: espeak-ng rendered only silence (nothing to "
			    "pronounce in TEXT, or no '%s' dictionary in espeak-ng-data)\n", lang);
		else if (wav_write(fd, &pcm) == 0)
			rc = 0;
		else
			fprintf(stderr, "tramdo say: cannot write %s: %s\n", path, strerror(errno));
	}
	if (close(fd) != 0 && rc == 0) {
		fprintf(stderr, "tramdo say: cannot write %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (rc != 0)
		unlink(path);	/* no half-written file that looks like a rendering */
	free(pcm.v);
	return rc;
}

int
cmd_say(const struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "wav", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *lang = "vi", *wav = NULL, *why;
	char *text;
	int ch, rc;

	(void)cli;
	optind = 0;	/* getopt starts afresh: the unit tests call this more than once */
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'l')
			lang = optarg;
		else if (ch == 'w')
			wav = optarg;
		else
			return usage();
	}
	if (strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0) {
		fprintf(stderr, "tramdo say: --lang is vi or en, not '%s'\n", lang);
		return 2;
	}
	if (optind == argc)
		return usage();
	text = joined(argc - optind, argv + optind);
	if ((why = text_problem(text)) != NULL) {
		fprintf(stderr, "tramdo say: %s\n", why);
		free(text);
		return 2;
	}
	if (wav != NULL)
		rc = say_to_wav(wav, lang, text);
	else
		rc = speak(lang, text, NULL) == 0 ? 0 : 1;
	free(text);
	return rc;
}
