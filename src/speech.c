/*
 * speech.c — see speech.h.
 *
 * Vietnamese numbers are read as the primary-school mathematics books teach them (Toán lớp
 * 3–4: a number is read by classes of three digits, units, nghìn, triệu, tỷ), in the northern
 * standard that espeak-ng's default vi voice speaks. Where usage varies we chose:
 *   - "nghìn", not the southern "ngàn": the textbooks' word, and the Hanoi voice's;
 *   - "linh", not the southern "lẻ", for a zero tens digit after hundreds (105 "một trăm linh
 *     năm"), again the textbooks' word;
 *   - "tư" for 4 after "mươi" (24 "hai mươi tư"), "bốn" everywhere else (14 "mười bốn", 104
 *     "một trăm linh bốn", digits after "phẩy"): both are correct after "mươi", "tư" is the
 *     more common there, and "mười tư" is literary;
 *   - "mốt" for 1 after "mươi" (21 "hai mươi mốt"), "một" after "mười" and "linh";
 *   - "lăm" for 5 after "mười"/"mươi" (15, 25), "năm" after "linh" and alone;
 *   - a class of zero is silent, and the class after it is read in full: 1005 "một nghìn không
 *     trăm linh năm", 2024 "hai nghìn không trăm hai mươi tư", 1000000005 "một tỷ không trăm
 *     linh năm";
 *   - decimals after "phẩy" digit by digit (9.05 "chín phẩy không năm"): each digit heard is a
 *     digit seen on the screen. The textbooks also read them as a number ("phẩy ba mươi tám").
 * Sources: Vietnamese Wikipedia "Cách đếm của người Việt" (mốt, tư/bốn, lăm, linh/lẻ,
 * nghìn/ngàn) and primary-school reading exercises (hocmai.vn: "linh" for a zero tens digit).
 * espeak-ng 1.51 reads digits itself, but says "mười ngàn không trăm" for 10000: we give it words.
 */
#include "speech.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "ui.h"
#include "util.h"

#define SPEECH_STOPPING_MAX	4	/* voices sent SIGTERM, not reaped yet */
#define SPEECH_NUMBER_MAX	1e12	/* up to "chín trăm ... tỷ ..." */
#define SPEECH_DECIMALS_MAX	6

struct speech {
	char	*exe;
	pid_t	 voice;				/* speaking, or 0 */
	pid_t	 stopping[SPEECH_STOPPING_MAX];	/* 0: free slot */
	bool	 failing;			/* the last voice failed: said in the log */
};

/* ---------------------------------------------------------------- the voice as a child */

struct speech *
speech_new(const char *self_exe)
{
	struct speech *s = xcalloc(1, sizeof *s);

	s->exe = xstrdup(self_exe != NULL ? self_exe : "/proc/self/exe");
	return s;
}

/*
 * The kiosk blocks SIGTERM, SIGHUP, SIGWINCH and SIGCHLD to read them from a signalfd and
 * ignores SIGPIPE: a child would inherit both, and a blocked SIGTERM could not stop it. Its
 * output would land on the kiosk's screen, and its descriptors would keep the kiosk's sockets
 * and database open.
 */
static int
spawn(const char *exe, char *const argv[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, exe, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static void
note_exit(struct speech *s, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (s->failing)
			log_info("speech: the voice works again");
		s->failing = false;
		return;
	}
	if (s->failing)
		return;
	s->failing = true;
	if (WIFEXITED(status))
		log_warn("speech: the voice ('tramdo say') failed with status %d; run 'tramdo say "
		    "Xin chào' on this machine to see why (sound device? voice data?)",
		    WEXITSTATUS(status));
	else
		log_warn("speech: the voice ('tramdo say') died of signal %d", WTERMSIG(status));
}

/* Whether pid has ended (and is reaped now); true too when it is no child of ours any more. */
static bool
reaped(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, WNOHANG);
	while (r < 0 && errno == EINTR);
	return r == pid || (r < 0 && errno == ECHILD);
}

void
speech_reap(struct speech *s)
{
	int status = 0;

	if (s == NULL)
		return;
	if (s->voice != 0 && reaped(s->voice, &status)) {
		s->voice = 0;
		note_exit(s, status);
	}
	for (int i = 0; i < SPEECH_STOPPING_MAX; i++)
		if (s->stopping[i] != 0 && reaped(s->stopping[i], &status))
			s->stopping[i] = 0;
}

/*
 * The voice speaking now is stopped and set aside to be reaped later: waiting for it here
 * would block the kiosk's loop. -1 when every slot holds a child that has not died yet.
 */
static int
stop_voice(struct speech *s)
{
	if (s->voice == 0)
		return 0;
	for (int i = 0; i < SPEECH_STOPPING_MAX; i++) {
		if (s->stopping[i] == 0) {
			kill(s->voice, SIGTERM);
			s->stopping[i] = s->voice;
			s->voice = 0;
			return 0;
		}
	}
	return -1;
}

int
speech_say(struct speech *s, const char *lang, const char *text)
{
	char *argv[] = { s->exe, "say", "--lang", (char *)lang, "--", (char *)text, NULL };
	pid_t pid;
	int rc;

	speech_reap(s);
	if (stop_voice(s) != 0) {
		errno = EBUSY;
		return -1;
	}
	if ((rc = spawn(s->exe, argv, &pid)) != 0) {
		errno = rc;
		return -1;
	}
	s->voice = pid;
	return 0;
}

void
speech_stop(struct speech *s)
{
	if (s == NULL)
		return;
	speech_reap(s);
	stop_voice(s);	/* with every slot taken, the voice ends by itself */
}

/* SIGKILL, not SIGTERM: a stopped or misbehaving child still dies, so the wait is short. */
static void
kill_and_wait(pid_t pid)
{
	if (pid == 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

void
speech_free(struct speech *s)
{
	if (s == NULL)
		return;
	kill_and_wait(s->voice);
	for (int i = 0; i < SPEECH_STOPPING_MAX; i++)
		kill_and_wait(s->stopping[i]);
	free(s->exe);
	free(s);
}

/* ---------------------------------------------------------------- the sentence */

/* Words appended to a bounded buffer, one space apart; overflow is remembered, never done. */
struct words {
	char	*out;
	size_t	 len, used;
	bool	 full;
};

static void
add(struct words *w, const char *word)
{
	size_t n = strlen(word) + (w->used > 0);

	if (w->full || w->used + n >= w->len) {
		w->full = true;
		return;
	}
	snprintf(w->out + w->used, w->len - w->used, "%s%s", w->used > 0 ? " " : "", word);
	w->used += n;
}

static const char *const digit_vi[] = {
	"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"
};

/*
 * One class of three digits. full: a higher class was read, so the hundreds are read even
 * when zero ("không trăm") and a zero tens digit is "linh".
 */
static void
add_class(struct words *w, int n, bool full)
{
	int h = n / 100, t = n / 10 % 10, u = n % 10;

	if (full || h > 0) {
		add(w, digit_vi[h]);
		add(w, "trăm");
	}
	if (t == 0 && u == 0)
		return;
	if (t == 0) {
		if (full || h > 0)
			add(w, "linh");
		add(w, digit_vi[u]);
		return;
	}
	if (t == 1)
		add(w, "mười");
	else {
		add(w, digit_vi[t]);
		add(w, "mươi");
	}
	if (u == 1 && t >= 2)
		add(w, "mốt");
	else if (u == 4 && t >= 2)
		add(w, "tư");
	else if (u == 5)
		add(w, "lăm");
	else if (u != 0)
		add(w, digit_vi[u]);
}

static void
add_integer(struct words *w, unsigned long long n)
{
	static const char *const scale[] = { "", "nghìn", "triệu", "tỷ" };
	int class[4], top = 0;

	if (n == 0) {
		add(w, digit_vi[0]);
		return;
	}
	for (int i = 0; i < 4; i++) {
		class[i] = (int)(n % 1000);
		n /= 1000;
		if (class[i] != 0)
			top = i;
	}
	for (int i = top; i >= 0; i--) {
		if (class[i] == 0)
			continue;
		add_class(w, class[i], i < top);
		if (i > 0)
			add(w, scale[i]);
	}
}

int
speech_number_vi(double value, int decimals, char *out, size_t len)
{
	struct words w = { .out = out, .len = len };
	char num[64], *frac, *end;
	unsigned long long whole;

	if (len > 0)
		out[0] = '\0';
	if (!isfinite(value) || fabs(value) >= SPEECH_NUMBER_MAX || decimals < 0 ||
	    decimals > SPEECH_DECIMALS_MAX)
		return -1;
	/* Rounded by printf, as the screen rounds: 9.999 with 2 decimals is "10.00". */
	snprintf(num, sizeof num, "%.*f", decimals, fabs(value));
	errno = 0;
	whole = strtoull(num, &end, 10);
	if (errno != 0 || whole >= (unsigned long long)SPEECH_NUMBER_MAX)
		return -1;
	frac = *end != '\0' ? end + 1 : end;	/* after the point, whatever the locale's */
	for (size_t n = strlen(frac); n > 0 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	if (value < 0 && (whole > 0 || *frac != '\0'))
		add(&w, "âm");
	add_integer(&w, whole);
	if (*frac != '\0')
		add(&w, "phẩy");
	for (const char *p = frac; *p >= '0' && *p <= '9'; p++)
		add(&w, digit_vi[*p - '0']);
	if (w.full) {
		if (len > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

static int
figure(double mbps, const char *lang, char *out, size_t len)
{
	int decimals = ui_mbps_decimals(mbps);

	if (strcmp(lang, "vi") == 0)
		return speech_number_vi(mbps, decimals, out, len);
	return snprintf(out, len, "%.*f", decimals, mbps) < (int)len ? 0 : -1;
}

int
speech_result_text(const char *template, const char *verdict, double down_mbps,
    double up_mbps, const char *lang, char *out, size_t len)
{
	char d[256], u[256];
	size_t used = 0;

	if (len == 0)
		return -1;
	out[0] = '\0';
	if (!(down_mbps >= 0) || !(up_mbps >= 0) ||
	    figure(down_mbps, lang, d, sizeof d) != 0 || figure(up_mbps, lang, u, sizeof u) != 0)
		return -1;
	if (verdict == NULL)
		verdict = "";
	for (const char *p = template; *p != '\0';) {
		const char *with = NULL;
		size_t skip = 1, n;

		if (strncmp(p, "{verdict}", 9) == 0) {
			with = verdict;
			skip = 9;
		} else if (strncmp(p, "{d}", 3) == 0) {
			with = d;
			skip = 3;
		} else if (strncmp(p, "{u}", 3) == 0) {
			with = u;
			skip = 3;
		}
		n = with != NULL ? strlen(with) : 1;
		if (used + n >= len) {
			out[0] = '\0';
			return -1;
		}
		memcpy(out + used, with != NULL ? with : p, n);
		used += n;
		out[used] = '\0';
		p += skip;
	}
	return 0;
}
