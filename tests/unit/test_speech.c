/*
 * test_speech.c — the kiosk's voice: numbers as Vietnamese words, the catalog's sentence
 * filled in, that sentence rendered by `tramdo say --wav` into a plausible WAV, and the `say`
 * child spawned with the right arguments and a clean signal state, stopped and reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd.h"
#include "i18n.h"
#include "speech.h"
#include "util.h"

/* ---------------------------------------------------------------- numbers */

static const struct {
	double		 value;
	int		 decimals;
	const char	*words;
} numbers[] = {
	{ 0, 0, "không" },
	{ 1, 0, "một" },
	{ 4, 0, "bốn" },
	{ 5, 0, "năm" },
	{ 10, 0, "mười" },
	{ 11, 0, "mười một" },
	{ 14, 0, "mười bốn" },
	{ 15, 0, "mười lăm" },
	{ 20, 0, "hai mươi" },
	{ 21, 0, "hai mươi mốt" },
	{ 24, 0, "hai mươi tư" },
	{ 25, 0, "hai mươi lăm" },
	{ 100, 0, "một trăm" },
	{ 101, 0, "một trăm linh một" },
	{ 104, 0, "một trăm linh bốn" },
	{ 105, 0, "một trăm linh năm" },
	{ 110, 0, "một trăm mười" },
	{ 111, 0, "một trăm mười một" },
	{ 115, 0, "một trăm mười lăm" },
	{ 121, 0, "một trăm hai mươi mốt" },
	{ 1000, 0, "một nghìn" },
	{ 1005, 0, "một nghìn không trăm linh năm" },
	{ 1010, 0, "một nghìn không trăm mười" },
	{ 1100, 0, "một nghìn một trăm" },
	{ 2024, 0, "hai nghìn không trăm hai mươi tư" },
	{ 10000, 0, "mười nghìn" },
	{ 12345, 0, "mười hai nghìn ba trăm bốn mươi lăm" },
	{ 100000, 0, "một trăm nghìn" },
	{ 406705, 0, "bốn trăm linh sáu nghìn bảy trăm linh năm" },
	{ 1000000, 0, "một triệu" },
	{ 1000005, 0, "một triệu không trăm linh năm" },
	{ 1001000, 0, "một triệu không trăm linh một nghìn" },
	{ 2000000000, 0, "hai tỷ" },
	{ 1000000005, 0, "một tỷ không trăm linh năm" },
	{ 999999999999, 0, "chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu "
	    "chín trăm chín mươi chín nghìn chín trăm chín mươi chín" },
	/* decimals, digit by digit after "phẩy"; trailing zeros are not read */
	{ 95.3, 1, "chín mươi lăm phẩy ba" },
	{ 0.5, 1, "không phẩy năm" },
	{ 0.5, 2, "không phẩy năm" },
	{ 9.05, 2, "chín phẩy không năm" },
	{ 40.1, 1, "bốn mươi phẩy một" },
	{ 3.14159, 3, "ba phẩy một bốn hai" },	/* rounded, as printf rounds */
	{ 9.999, 2, "mười" },
	{ 12.0, 1, "mười hai" },
	{ 95.34, 0, "chín mươi lăm" },
	{ 10000, 0, "mười nghìn" },		/* a 10 Gbit/s link */
	/* negative: "âm"; a value that rounds to zero has no sign */
	{ -5, 0, "âm năm" },
	{ -12.5, 1, "âm mười hai phẩy năm" },
	{ -0.04, 1, "không" },
};

static void
test_number_words(void **state)
{
	char out[512];

	(void)state;
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		int rc = speech_number_vi(numbers[i].value, numbers[i].decimals, out, sizeof out);

		if (rc != 0 || strcmp(out, numbers[i].words) != 0)
			print_error("%.6g with %d decimals: got '%s' (rc %d), want '%s'\n",
			    numbers[i].value, numbers[i].decimals, out, rc, numbers[i].words);
		assert_int_equal(rc, 0);
		assert_string_equal(out, numbers[i].words);
	}
}

static void
test_number_refused(void **state)
{
	char out[64] = "x";

	(void)state;
	assert_int_equal(speech_number_vi(NAN, 1, out, sizeof out), -1);
	assert_string_equal(out, "");
	assert_int_equal(speech_number_vi(INFINITY, 0, out, sizeof out), -1);
	assert_int_equal(speech_number_vi(-INFINITY, 0, out, sizeof out), -1);
	assert_int_equal(speech_number_vi(1e12, 0, out, sizeof out), -1);
	assert_int_equal(speech_number_vi(-1e300, 0, out, sizeof out), -1);
	assert_int_equal(speech_number_vi(999999999999.6, 0, out, sizeof out), -1);	/* rounds up */
	assert_int_equal(speech_number_vi(1, -1, out, sizeof out), -1);
	assert_int_equal(speech_number_vi(1, 7, out, sizeof out), -1);
	assert_int_equal(speech_number_vi(1, 0, out, 0), -1);
}

/* Every length short of the words fails, writes nothing past len, and leaves "". */
static void
test_number_buffer_too_small(void **state)
{
	const char *want = "chín mươi lăm phẩy ba";
	char out[64];

	(void)state;
	for (size_t len = 1; len <= strlen(want); len++) {
		memset(out, '#', sizeof out);
		assert_int_equal(speech_number_vi(95.3, 1, out, len), -1);
		assert_int_equal(out[0], '\0');
		for (size_t i = len; i < sizeof out; i++)
			assert_int_equal(out[i], '#');
	}
	assert_int_equal(speech_number_vi(95.3, 1, out, strlen(want) + 1), 0);
	assert_string_equal(out, want);
}

/* ---------------------------------------------------------------- the sentence */

static char *
catalog_dir(void)
{
	const char *src = getenv("TRAMDO_SRCDIR");

	return xasprintf("%s/assets/i18n", src != NULL ? src : ".");
}

static void
test_result_text(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(speech_result_text("{verdict}. Xuống {d}, lên {u}.", "Tốt", 95.3, 40.1,
	    "vi", out, sizeof out), 0);
	assert_string_equal(out, "Tốt. Xuống chín mươi lăm phẩy ba, lên bốn mươi phẩy một.");
	assert_int_equal(speech_result_text("{verdict}. Down {d}, up {u}.", "Good", 95.3, 40.1,
	    "en", out, sizeof out), 0);
	assert_string_equal(out, "Good. Down 95.3, up 40.1.");
	/* as many decimals as the screen: 2 under 10, 1 under 1000, none above */
	assert_int_equal(speech_result_text("{d}|{u}", NULL, 9.05, 2500.4, "en", out, sizeof out), 0);
	assert_string_equal(out, "9.05|2500");
	assert_int_equal(speech_result_text("{d}|{u}", NULL, 9.05, 2500.4, "vi", out, sizeof out), 0);
	assert_string_equal(out, "chín phẩy không năm|hai nghìn năm trăm");
	assert_int_equal(speech_result_text("{d}|{u}", NULL, 10000, 0, "vi", out, sizeof out), 0);
	assert_string_equal(out, "mười nghìn|không");
	/* repeated, missing and unknown placeholders; no verdict */
	assert_int_equal(speech_result_text("{u} {u} {x} {verdict}{", NULL, 1, 2, "en", out,
	    sizeof out), 0);
	assert_string_equal(out, "2.00 2.00 {x} {");
	assert_int_equal(speech_result_text("", "v", 1, 2, "vi", out, sizeof out), 0);
	assert_string_equal(out, "");
}

static void
test_result_text_refused(void **state)
{
	const char *tpl = "{verdict}. {d} {u}";
	char out[64];

	(void)state;
	/* a speed below 0 is unknown (model.h): nothing to say */
	assert_int_equal(speech_result_text(tpl, "v", -1, 40, "vi", out, sizeof out), -1);
	assert_string_equal(out, "");
	assert_int_equal(speech_result_text(tpl, "v", 95, NAN, "en", out, sizeof out), -1);
	assert_int_equal(speech_result_text(tpl, "v", 95, 1e13, "vi", out, sizeof out), -1);
	assert_int_equal(speech_result_text(tpl, "v", 95, 40, "vi", out, 0), -1);
	/* too small: every length fails cleanly, nothing past len is written */
	for (size_t len = 1; len <= strlen("v. 95.0 40.0"); len++) {
		memset(out, '#', sizeof out);
		assert_int_equal(speech_result_text(tpl, "v", 95, 40, "en", out, len), -1);
		assert_int_equal(out[0], '\0');
		for (size_t i = len; i < sizeof out; i++)
			assert_int_equal(out[i], '#');
	}
	assert_int_equal(speech_result_text(tpl, "v", 95, 40, "en", out, 13), 0);
	assert_string_equal(out, "v. 95.0 40.0");
}

/* The shipped catalogs' sentences, as the kiosk will build them. */
static void
test_catalog_sentences(void **state)
{
	char *dir = catalog_dir(), out[1024];
	struct i18n *vi = i18n_open(dir, "vi"), *en = i18n_open(dir, "en");

	(void)state;
	assert_int_equal(i18n_problem_count(vi), 0);
	assert_int_equal(speech_result_text(i18n_get(vi, "speech.result"), "Tốt", 95.3, 40.1,
	    "vi", out, sizeof out), 0);
	assert_string_equal(out, "Tốt. Tốc độ tải xuống chín mươi lăm phẩy ba mê-ga-bít mỗi "
	    "giây, tải lên bốn mươi phẩy một mê-ga-bít mỗi giây. Xin cảm ơn quý vị đã tham gia "
	    "đo kiểm.");
	assert_int_equal(speech_result_text(i18n_get(en, "speech.result"), "Good", 95.3, 40.1,
	    "en", out, sizeof out), 0);
	assert_string_equal(out, "Good. Download speed 95.3 megabits per second, upload 40.1 "
	    "megabits per second. Thank you for taking part.");
	i18n_free(vi);
	i18n_free(en);
	free(dir);
}

/* ---------------------------------------------------------------- rendering */

struct wav {
	int	channels, rate, bits;
	size_t	n;
	int16_t	*v;
};

static uint32_t
le(const unsigned char *p, int bytes)
{
	uint32_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Reads the 44-byte header `tramdo say` writes and checks every field of it. */
static void
read_wav(const char *path, struct wav *w)
{
	unsigned char h[44];
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint32_t data;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	assert_int_equal(fread(h, 1, sizeof h, f), sizeof h);
	assert_memory_equal(h, "RIFF", 4);
	assert_memory_equal(h + 8, "WAVEfmt ", 8);
	assert_memory_equal(h + 36, "data", 4);
	data = le(h + 40, 4);
	assert_int_equal(le(h + 4, 4), 36 + data);
	assert_int_equal((size_t)st.st_size, 44 + (size_t)data);
	assert_int_equal(le(h + 16, 4), 16);
	assert_int_equal(le(h + 20, 2), 1);		/* PCM */
	w->channels = (int)le(h + 22, 2);
	w->rate = (int)le(h + 24, 4);
	w->bits = (int)le(h + 34, 2);
	assert_int_equal(le(h + 28, 4), (uint32_t)w->rate * 2);
	assert_int_equal(le(h + 32, 2), 2);
	w->n = data / 2;
	w->v = xmalloc(data);
	assert_int_equal(fread(w->v, 2, w->n, f), w->n);	/* little-endian host */
	fclose(f);
}

/*
 * `tramdo say` in a child process, as the kiosk runs it: libespeak-ng 1.51 cannot be
 * initialised again after espeak_ng_Terminate (the next Terminate waits forever on its
 * never-started fifo thread), so each rendering gets a process of its own. The exit status.
 */
static int
say(const char *lang, const char *path, const char *text)
{
	struct cli cli = { .config_path = "/nonexistent" };
	char *argv[] = { "say", "--lang", (char *)lang, "--wav", (char *)path, "--",
	    (char *)text, NULL };
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(cmd_say(&cli, 7, argv));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * The catalog's Vietnamese sentence for a 95.3/40.1 Mbps result, rendered to a WAV. Measured
 * with espeak-ng 1.51: 10.6 s, RMS 3900, peak 32756, 0 samples at full scale, 13% of 20 ms
 * frames quiet. The bounds are wide so that staff or translators may reword the sentence, yet
 * catch a voice that reads nothing (silence), too little (the numbers dropped: < 5 s), or
 * spells words out letter by letter (> 25 s); speech has pauses, noise or a tone has none.
 */
static void
test_render_catalog_sentence(void **state)
{
	char *dir = catalog_dir(), path[] = "/tmp/tramdo-say.XXXXXX", text[1024];
	struct i18n *vi = i18n_open(dir, "vi");
	struct wav w;
	double sum = 0, rms, seconds;
	size_t clipped = 0, frames = 0, quiet = 0, frame;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(speech_result_text(i18n_get(vi, "speech.result"),
	    i18n_get(vi, "verdict.video_call"), 95.3, 40.1, "vi", text, sizeof text), 0);
	assert_int_equal(say("vi", path, text), 0);
	read_wav(path, &w);
	assert_int_equal(w.channels, 1);
	assert_int_equal(w.bits, 16);
	assert_true(w.rate >= 8000 && w.rate <= 48000);
	seconds = (double)w.n / w.rate;
	frame = (size_t)w.rate / 50;
	for (size_t i = 0; i < w.n; i++) {
		sum += (double)w.v[i] * w.v[i];
		clipped += w.v[i] >= 32767 || w.v[i] <= -32767;
	}
	for (size_t f = 0; f + frame <= w.n; f += frame) {
		double e = 0;

		for (size_t i = f; i < f + frame; i++)
			e += (double)w.v[i] * w.v[i];
		quiet += sqrt(e / (double)frame) < 100;
		frames++;
	}
	rms = sqrt(sum / (double)w.n);
	print_message("rendered %.2f s at %d Hz, RMS %.0f, %zu clipped, %zu of %zu frames quiet\n",
	    seconds, w.rate, rms, clipped, quiet, frames);
	assert_true(seconds > 5 && seconds < 25);
	assert_true(rms > 300 && rms < 12000);
	assert_true(clipped < w.n / 1000);
	assert_true(quiet > frames / 50);
	free(w.v);
	unlink(path);
	i18n_free(vi);
	free(dir);
}

/* English renders too; errors exit 1 with no file left behind, usage errors exit 2. */
static void
test_say_errors(void **state)
{
	char path[] = "/tmp/tramdo-say.XXXXXX", *bad;
	struct wav w;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(say("en", path, "Download speed 95.3 megabits per second."), 0);
	read_wav(path, &w);
	assert_true(w.n > (size_t)w.rate);
	free(w.v);
	assert_int_equal(say("vi", "/nonexistent/dir/x.wav", "Xin chào"), 1);
	assert_int_equal(say("fr", path, "Bonjour"), 2);
	assert_int_equal(say("vi", path, ""), 2);
	bad = xasprintf("%s", "Xin ch\xe0o");		/* Latin-1, not UTF-8 */
	assert_int_equal(say("vi", path, bad), 2);
	free(bad);
	assert_int_equal(say("vi", path, "..."), 1);	/* nothing to pronounce */
	assert_int_equal(access(path, F_OK), -1);	/* the failed rendering removed its file */
}

/* ---------------------------------------------------------------- the child */

static char tmpdir[] = "/tmp/tramdo-speech.XXXXXX";

/*
 * A stand-in for tramdo: records its arguments, its blocked and ignored signals and its open
 * descriptors, writes to stdout and stderr (which must be /dev/null), then lives on as
 * `sleep` (so SIGTERM with default disposition ends it) or exits 3 when the text is "fail".
 * The signal masks are read by the shell itself: dash blocks every signal while it waits for
 * a command, so `grep /proc/$$/status` would see that. The descriptors are listed from a
 * command substitution, so the shell's own stdout is not redirected to the list meanwhile.
 */
static char *
write_fake_tramdo(void)
{
	char *path = xasprintf("%s/fake-tramdo", tmpdir);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n"
	    "d=%s\n"
	    "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done > $d/$$.args\n"
	    "while read -r k v; do case $k in Sig*) echo \"$k $v\";; esac; done"
	    " < /proc/$$/status > $d/$$.sig\n"
	    "fds=$(for f in /proc/$$/fd/*; do echo \"${f##*/} $(readlink $f)\"; done)\n"
	    "echo \"$fds\" > $d/$$.fds\n"
	    "echo 'on stdout'; echo 'on stderr' >&2\n"
	    "echo $$ >> $d/pids\n"
	    "for a in \"$@\"; do last=$a; done\n"
	    "[ \"$last\" = fail ] && exit 3\n"
	    "exec sleep 300\n", tmpdir);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static char *
slurp(const char *fmt, long pid)
{
	char *path = xasprintf(fmt, tmpdir, pid), *text = xcalloc(1, 65536);
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	text[fread(text, 1, 65535, f)] = '\0';
	fclose(f);
	free(path);
	return text;
}

static void
pause_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* The n-th pid (1-based) in the file of started children, or 0. */
static long
pid_line(const char *path, int n)
{
	char line[32];
	FILE *f = fopen(path, "r");
	long pid = 0;

	for (int seen = 0; f != NULL && fgets(line, sizeof line, f) != NULL;)
		if (++seen == n)
			pid = strtol(line, NULL, 10);
	if (f != NULL)
		fclose(f);
	return pid;
}

/* The pid of the n-th child (1-based) once it has written its records. */
static long
nth_child(int n)
{
	char *path = xasprintf("%s/pids", tmpdir);
	long pid;

	/* Waits for the event (the line), bounded only so that a broken spawn fails, not hangs. */
	for (int tries = 0; tries < 6000 && (pid = pid_line(path, n)) == 0; tries++)
		pause_ms(10);
	free(path);
	assert_true(pid > 0);
	return pid;
}

/* 'Z' (ended, not reaped), 'S' (sleeping) …, or 0 when there is no such process any more. */
static char
proc_state(long pid)
{
	char path[64], buf[512], *close_paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (close_paren == NULL || close_paren[1] != ' ')
		return '?';
	return close_paren[2];
}

/* The hexadecimal mask after name in the recorded /proc status lines. */
static unsigned long long
mask(const char *status, const char *name)
{
	const char *at = strstr(status, name);
	char *end;
	unsigned long long v;

	assert_non_null(at);
	v = strtoull(at + strlen(name), &end, 16);
	assert_true(end == at + strlen(name) + 16);
	return v;
}

static void
wait_state(long pid, char want)
{
	for (int tries = 0; tries < 6000 && proc_state(pid) != want; tries++)
		pause_ms(10);
	assert_int_equal(proc_state(pid), want);
}

static void
test_spawned_child(void **state)
{
	const char *text = "Xin chào -c quý vị";
	sigset_t kiosk, saved;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe, old_int;
	struct speech *s;
	char *fake, *args, *sig, *fds, *want;
	long first, second, third;
	unsigned long long blocked, ignored;
	int sentinel;
	char ps;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	fake = write_fake_tramdo();
	/* The kiosk's state: signals blocked for its signalfd, SIGPIPE ignored, files open. */
	sigemptyset(&kiosk);
	sigaddset(&kiosk, SIGTERM);
	sigaddset(&kiosk, SIGHUP);
	sigaddset(&kiosk, SIGWINCH);
	sigaddset(&kiosk, SIGCHLD);
	sigprocmask(SIG_BLOCK, &kiosk, &saved);
	sigaction(SIGPIPE, &ign, &old_pipe);
	sigaction(SIGINT, &ign, &old_int);
	want = xasprintf("%s/sentinel", tmpdir);
	sentinel = open(want, O_CREAT | O_WRONLY, 0600);	/* no O_CLOEXEC, on purpose */
	assert_true(sentinel >= 0);
	free(want);

	s = speech_new(fake);
	assert_int_equal(speech_say(s, "vi", text), 0);
	first = nth_child(1);
	args = slurp("%s/%ld.args", first);
	want = xasprintf("say\n--lang\nvi\n--\n%s\n", text);
	assert_string_equal(args, want);
	free(want);
	sig = slurp("%s/%ld.sig", first);
	blocked = mask(sig, "SigBlk: ");
	ignored = mask(sig, "SigIgn: ");
	assert_int_equal(blocked, 0);
	/*
	 * None of the 31 standard signals ignored (the test ignores SIGPIPE and SIGINT). glibc's
	 * posix_spawn leaves its own two internal real-time signals (32, 33) ignored in the child;
	 * every program that links glibc installs its handlers for them again.
	 */
	assert_int_equal(ignored & 0x7fffffffULL, 0);
	fds = slurp("%s/%ld.fds", first);
	assert_non_null(strstr(fds, "0 /dev/null\n"));
	assert_non_null(strstr(fds, "1 /dev/null\n"));
	assert_non_null(strstr(fds, "2 /dev/null\n"));
	assert_null(strstr(fds, "sentinel"));
	free(args);
	free(sig);
	free(fds);

	/* A second sentence stops the first voice; reaping leaves no zombie. */
	assert_int_equal(speech_say(s, "en", "second"), 0);
	second = nth_child(2);
	wait_state(first, 'Z');
	speech_reap(s);
	assert_int_equal(proc_state(first), 0);
	/* The second voice goes on: asleep in its fake, or still starting on a busy machine. */
	ps = proc_state(second);
	assert_true(ps == 'S' || ps == 'R');

	/* A voice that fails is reaped too (and logged), and the one before it stopped. */
	assert_int_equal(speech_say(s, "vi", "fail"), 0);
	third = nth_child(3);
	wait_state(second, 'Z');
	wait_state(third, 'Z');
	speech_reap(s);
	assert_int_equal(proc_state(second), 0);
	assert_int_equal(proc_state(third), 0);

	/* speech_stop stops the voice without a new one; reaping follows. */
	assert_int_equal(speech_say(s, "vi", "stop me"), 0);
	first = nth_child(4);
	speech_stop(s);
	wait_state(first, 'Z');
	speech_reap(s);
	assert_int_equal(proc_state(first), 0);

	/* speech_free stops and reaps a voice still speaking. */
	assert_int_equal(speech_say(s, "vi", "last"), 0);
	first = nth_child(5);
	speech_free(s);
	assert_int_equal(proc_state(first), 0);

	s = speech_new("/nonexistent/tramdo");
	errno = 0;
	assert_int_equal(speech_say(s, "vi", "x"), -1);
	assert_int_equal(errno, ENOENT);
	speech_free(s);
	speech_reap(NULL);
	speech_stop(NULL);
	speech_free(NULL);

	close(sentinel);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	want = xasprintf("rm -rf '%s'", tmpdir);
	assert_int_equal(system(want), 0);
	free(want);
	free(fake);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_words),
		cmocka_unit_test(test_number_refused),
		cmocka_unit_test(test_number_buffer_too_small),
		cmocka_unit_test(test_result_text),
		cmocka_unit_test(test_result_text_refused),
		cmocka_unit_test(test_catalog_sentences),
		cmocka_unit_test(test_render_catalog_sentence),
		cmocka_unit_test(test_say_errors),
		cmocka_unit_test(test_spawned_child),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
