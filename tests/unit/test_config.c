/* test_config.c — INI loading and validation: every message names file, line, section and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static char tmpdir[] = "/tmp/tramdo-test-config.XXXXXX";
static char inipath[256];

static const char *
srcdir(void)
{
	const char *s = getenv("TRAMDO_SRCDIR");
	return s != NULL ? s : ".";
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Writes text to the test file and loads it. */
static int
load_text(const char *text, struct config *cfg, struct diags *d)
{
	write_file(inipath, text, strlen(text));
	return config_load(inipath, cfg, d);
}

static void
dump(const struct diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  diag: %s\n", d->v[i].text);
}

/* Is there a diag that reads exactly "<inipath><rest>"? */
static bool
has_diag(const struct diags *d, const char *rest)
{
	char *want = xasprintf("%s%s", inipath, rest);
	bool found = false;

	for (size_t i = 0; i < d->n && !found; i++)
		found = strcmp(d->v[i].text, want) == 0;
	free(want);
	if (!found) {
		print_message("expected: %s%s\n", inipath, rest);
		dump(d);
	}
	return found;
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(inipath, sizeof inipath, "%s/t.ini", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc;

	(void)state;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void
test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_string_equal(cfg.kiosk.language, "vi");
	assert_int_equal(cfg.kiosk.result_seconds, 60);
	assert_int_equal(cfg.kiosk.charset, CHARSET_AUTO);
	assert_null(cfg.kiosk.staff_pin);
	assert_null(cfg.kiosk.prompt);
	assert_false(cfg.kiosk.speech);
	assert_string_equal(cfg.test.server, "auto");
	assert_string_equal(cfg.test.ip_version, "auto");
	assert_int_equal(cfg.test.download_streams, 6);
	assert_int_equal(cfg.test.upload_streams, 4);
	assert_true(cfg.test.max_seconds == 6.0);
	assert_int_equal(cfg.test.ping_count, 10);
	assert_true(cfg.test.connect_timeout == 5.0);
	assert_string_equal(cfg.gps.host, "localhost");
	assert_string_equal(cfg.gps.port, "2947");
	assert_true(cfg.gps.enabled);
	assert_false(cfg.upload.enabled);
	assert_string_equal(cfg.upload.format, "json");
	assert_string_equal(cfg.storage.path, "/var/lib/tramdo/results.db");
	assert_string_equal(cfg.station.id, "");
	assert_false(cfg.station.has_position);
	assert_true(isnan(cfg.station.latitude));
	assert_true(cfg.server_list_refresh_hours == 24);
	assert_int_equal(cfg.nservers, 0);
	assert_string_equal(cfg.metrics.textfile, "/var/lib/prometheus/node-exporter/tramdo.prom");
	config_free(&cfg);
}

/* [metrics] textfile: empty turns the file off; any other path is kept as written. */
static void
test_metrics_textfile(void **state)
{
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(load_text("[metrics]\ntextfile =\n", &cfg, &d), 0);
	assert_string_equal(cfg.metrics.textfile, "");
	config_free(&cfg);
	assert_int_equal(load_text("[metrics]\ntextfile = /srv/m/k.prom\n", &cfg, &d), 0);
	assert_string_equal(cfg.metrics.textfile, "/srv/m/k.prom");
	config_free(&cfg);
	diags_free(&d);
}

static void
test_good_file(void **state)
{
	struct config cfg;
	struct diags d = { 0 };
	char *path = xasprintf("%s/tests/fixtures/config/good.ini", srcdir());
	const struct server_conf *lan, *php;

	(void)state;
	assert_int_equal(config_load(path, &cfg, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg.station.id, "HN-BD-01");
	assert_string_equal(cfg.station.name, "Trung tâm Văn hóa Ba Đình");
	assert_true(cfg.station.has_position);
	assert_true(fabs(cfg.station.latitude - 21.0285) < 1e-9);
	assert_true(fabs(cfg.station.longitude - 105.8542) < 1e-9);
	assert_string_equal(cfg.kiosk.language, "en");
	assert_int_equal(cfg.kiosk.result_seconds, 90);
	assert_int_equal(cfg.kiosk.cooldown_seconds, 0);
	assert_string_equal(cfg.kiosk.staff_pin, "2468");
	assert_int_equal(cfg.kiosk.charset, CHARSET_ASCII);
	/* quoted: the '#' survives */
	assert_string_equal(cfg.kiosk.promo_qr_url, "https://example.vn/app#cai-dat");
	assert_string_equal(cfg.kiosk.prompt, "Nhấn phím bất kỳ để bắt đầu đo");
	assert_true(cfg.kiosk.speech);
	assert_string_equal(cfg.test.server, "LAN");
	/* iniparser_getint would read 010 as octal 8 */
	assert_int_equal(cfg.test.download_streams, 10);
	assert_true(cfg.test.max_seconds == 12.5);
	assert_true(cfg.test.connect_timeout == 2.5);
	assert_true(cfg.test.daily_budget_mb == 5000);
	assert_string_equal(cfg.test.quiet_hours, "22:00-06:00");
	assert_int_equal(cfg.nservers, 2);
	lan = config_server(&cfg, "lan");
	assert_non_null(lan);
	assert_string_equal(lan->name, "LAN");	/* shown as written */
	assert_string_equal(lan->url, "http://10.0.0.2:8080/speed");
	assert_string_equal(lan->layout, "go");
	assert_string_equal(lan->download_path, "garbage");
	assert_string_equal(lan->ping_path, "empty");
	assert_string_equal(lan->getip_path, "getIP");
	php = config_server(&cfg, "PHP");
	assert_non_null(php);
	assert_string_equal(php->download_path, "backend/garbage.php");
	assert_string_equal(php->upload_path, "backend/empty.php");
	assert_string_equal(php->getip_path, "");
	assert_null(config_server(&cfg, "nowhere"));
	assert_string_equal(cfg.server_list_url, "https://example.vn/servers.json");
	assert_true(cfg.server_list_refresh_hours == 12);
	assert_false(cfg.gps.enabled);
	assert_string_equal(cfg.gps.port, "3000");
	assert_true(cfg.upload.enabled);
	assert_string_equal(cfg.upload.format, "influx,json");
	assert_string_equal(cfg.storage.path, "/tmp/tramdo-test/results.db");
	diags_free(&d);
	config_free(&cfg);
	free(path);
}

/* The shipped example: every key at its default, no warning. */
static void
test_example_file(void **state)
{
	struct config cfg, def;
	struct diags d = { 0 };
	char *path = xasprintf("%s/config/tramdo.ini", srcdir());

	(void)state;
	assert_int_equal(config_load(path, &cfg, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);
	config_defaults(&def);
	assert_string_equal(cfg.kiosk.language, def.kiosk.language);
	assert_int_equal(cfg.kiosk.result_seconds, def.kiosk.result_seconds);
	assert_int_equal(cfg.kiosk.error_seconds, def.kiosk.error_seconds);
	assert_int_equal(cfg.kiosk.cooldown_seconds, def.kiosk.cooldown_seconds);
	assert_int_equal(cfg.kiosk.retry_seconds, def.kiosk.retry_seconds);
	assert_int_equal(def.kiosk.retry_seconds, 300);
	assert_int_equal(cfg.kiosk.charset, def.kiosk.charset);
	assert_int_equal(cfg.test.download_streams, def.test.download_streams);
	assert_int_equal(cfg.test.upload_streams, def.test.upload_streams);
	assert_true(cfg.test.max_seconds == def.test.max_seconds);
	assert_int_equal(cfg.test.ping_count, def.test.ping_count);
	assert_true(cfg.test.connect_timeout == def.test.connect_timeout);
	assert_true(cfg.test.stall_seconds == def.test.stall_seconds);
	assert_true(cfg.test.daily_budget_mb == def.test.daily_budget_mb);
	assert_int_equal(cfg.test.schedule_splay_seconds, def.test.schedule_splay_seconds);
	assert_int_equal(def.test.schedule_splay_seconds, 300);
	assert_true(cfg.server_list_refresh_hours == def.server_list_refresh_hours);
	assert_int_equal(cfg.gps.enabled, def.gps.enabled);
	assert_string_equal(cfg.gps.host, def.gps.host);
	assert_string_equal(cfg.gps.port, def.gps.port);
	assert_int_equal(cfg.gps.max_fix_age_seconds, def.gps.max_fix_age_seconds);
	assert_int_equal(cfg.upload.enabled, def.upload.enabled);
	assert_string_equal(cfg.upload.format, def.upload.format);
	assert_int_equal(cfg.upload.retry_max_seconds, def.upload.retry_max_seconds);
	assert_string_equal(cfg.storage.path, def.storage.path);
	assert_string_equal(cfg.metrics.textfile, def.metrics.textfile);
	assert_true(cfg.nservers >= 1);
	config_free(&def);
	diags_free(&d);
	config_free(&cfg);
	free(path);
}

/* One bad value per case: the exact message after the file name. */
static const struct {
	const char	*ini;
	const char	*diag;
} bad_values[] = {
	{ "[test]\ndownload_streams = 0\n",
	    ":2: [test] download_streams: error: 0 is out of range 1..32" },
	{ "[test]\nupload_streams = many\n",
	    ":2: [test] upload_streams: error: 'many' is not a whole number" },
	{ "[kiosk]\nresult_seconds = 0x10\n",
	    ":2: [kiosk] result_seconds: error: '0x10' is not a whole number" },
	{ "[kiosk]\nresult_seconds = 99999999999999999999\n",
	    ":2: [kiosk] result_seconds: error: '99999999999999999999' is not a whole number" },
	{ "[test]\nmax_seconds = 1,5\n",
	    ":2: [test] max_seconds: error: '1,5' is not a number (use '.' as the decimal point)" },
	{ "[test]\nmax_seconds = inf\n",
	    ":2: [test] max_seconds: error: 'inf' is not a number" },
	{ "[test]\nconnect_timeout = 0.1\n",
	    ":2: [test] connect_timeout: error: 0.1 is out of range 0.5..60" },
	{ "[test]\nping_count =\n",
	    ":2: [test] ping_count: error: must not be empty" },
	{ "[kiosk]\nlanguage = fr\n",
	    ":2: [kiosk] language: error: 'fr' is not one of vi|en" },
	{ "[test]\nip_version = ipv6\n",
	    ":2: [test] ip_version: error: 'ipv6' is not one of auto|4|6|both" },
	{ "[kiosk]\ncharset = utf8\n",
	    ":2: [kiosk] charset: error: 'utf8' is not one of auto|unicode|console|ascii" },
	{ "[kiosk]\nstaff_pin = 12\n",
	    ":2: [kiosk] staff_pin: error: must be 4 to 12 digits" },
	{ "[kiosk]\npromo_qr_url = www.example.vn\n",
	    ":2: [kiosk] promo_qr_url: error: 'www.example.vn' must start with http:// or https://" },
	{ "[gps]\nenabled = maybe\n",
	    ":2: [gps] enabled: error: 'maybe' is not yes or no" },
	{ "[kiosk]\nspeech = loud\n",
	    ":2: [kiosk] speech: error: 'loud' is not yes or no" },
	{ "[gps]\nport = 70000\n",
	    ":2: [gps] port: error: '70000' is not a port number 1..65535" },
	{ "[gps]\nhost = gps.local\n",
	    ":2: [gps] host: error: 'gps.local' is not an IP address: use localhost or gpsd's "
	    "address, e.g. 192.168.1.20" },
	{ "[upload]\nformat = json, csv\n",
	    ":2: [upload] format: error: 'csv' is not one of json|librespeed|influx" },
	{ "[upload]\nformat = json,json\n",
	    ":2: [upload] format: error: 'json' is listed twice" },
	{ "[upload]\nurl = ftp://example.vn/\n",
	    ":2: [upload] url: error: 'ftp://example.vn/' must start with http:// or https://" },
	{ "[upload]\nurl = http://\n",
	    ":2: [upload] url: error: 'http://' is not a valid URL" },
	{ "[upload]\nenabled = yes\n",
	    ":2: [upload] url: error: missing: enabled = yes needs the collector's url" },
	{ "[upload]\nenabled = yes\nformat = librespeed\n",
	    ":2: [upload] librespeed_url: error: missing: format librespeed needs the LibreSpeed server's url" },
	{ "[upload]\nenabled = yes\nformat = influx\ninflux_url = http://10.0.0.5:8086\n",
	    ":2: [upload] influx_db: error: missing: format influx needs influx_db (InfluxDB 1.x) or influx_org and influx_bucket (2.x)" },
	{ "[storage]\npath =\n",
	    ":2: [storage] path: error: must not be empty" },
	{ "[test]\nquiet_hours = 22:00-6:00\n",
	    ":2: [test] quiet_hours: error: '22:00-6:00' is not a time range like 22:00-06:00" },
	{ "[test]\nschedule = 09:30,25:00\n",
	    ":2: [test] schedule: error: '09:30,25:00' is not a list of times like 09:30,15:00, "
	    "nor 'hourly' or 'every N' with s, m or h (every 10m)" },
	{ "[test]\nschedule = every 5x\n",
	    ":2: [test] schedule: error: 'every 5x' is not a list of times like 09:30,15:00, "
	    "nor 'hourly' or 'every N' with s, m or h (every 10m)" },
	{ "[test]\nschedule_splay_seconds = 3601\n",
	    ":2: [test] schedule_splay_seconds: error: 3601 is out of range 0..3600" },
	{ "[test]\nschedule_splay_seconds = -1\n",
	    ":2: [test] schedule_splay_seconds: error: -1 is out of range 0..3600" },
	{ "[test]\nschedule_splay_seconds = 5m\n",
	    ":2: [test] schedule_splay_seconds: error: '5m' is not a whole number" },
	{ "[test]\nserver = nowhere\n",
	    ":2: [test] server: error: 'nowhere' is neither auto nor a [server NAME] section" },
	{ "[server lan]\nlayout = go\n",
	    ":1: [server lan] url: error: missing: every server needs its base URL, e.g. "
	    "url = http://10.0.0.2/" },
	{ "[server  Hà  Nội ]\nlayout = go\n",
	    ":1: [server  Hà  Nội] url: error: missing: every server needs its base URL, e.g. "
	    "url = http://10.0.0.2/" },
	{ "[server lan]\nurl = http://10.0.0.2/\nlayout = java\n",
	    ":3: [server lan] layout: error: 'java' is not one of php|go" },
	{ "[server lan]\nurl = http://10.0.0.2/\ndownload_path =\n",
	    ":3: [server lan] download_path: error: must not be empty" },
	{ "[server]\nurl = http://10.0.0.2/\n",
	    ":1: [server]: error: a server section needs a name, e.g. [server hanoi]" },
	{ "[station]\nlatitude = 21.0\n",
	    ":2: [station] latitude: error: set both latitude and longitude, or neither" },
	{ "[station]\nlatitude = 91\nlongitude = 105\n",
	    ":2: [station] latitude: error: 91 is out of range -90..90" },
	{ "[station]\nname = a\x01z\n",
	    ":2: [station] name: error: contains the control character U+0001: remove it" },
	/* Strict text: what would be stored is not what the file seems to say. */
	{ "[station]\nname = \"Nhà \"văn\", hoá\"\n",
	    ":2: [station] name: error: a \" inside the quoted value ends it (only 'Nhà ' would "
	    "be kept): quote the value with ' instead, or leave the quotes out" },
	{ "[kiosk]\nprompt = 'it's here'\n",
	    ":2: [kiosk] prompt: error: a ' inside the quoted value ends it (only 'it' would be "
	    "kept): quote the value with \" instead, or leave the quotes out" },
	{ "[station]\n\nname = \"Nhà văn hoá\n",
	    ":3: [station] name: error: the value opens a \" quote and never closes it" },
	{ "[station]\nname = a\x7fz\n",
	    ":2: [station] name: error: contains the control character U+007F: remove it" },
	{ "[station]\nname = a\xc2\x85z\n",
	    ":2: [station] name: error: contains the control character U+0085: remove it" },
	{ "[station]\nisp = a\xc2\x9bz\n",
	    ":2: [station] isp: error: contains the control character U+009B: remove it" },
	{ "[station]\nname = VNPT \xe2\x80\xae\x31\x32\n",
	    ":2: [station] name: error: contains the bidi control U+202E, which shows text in "
	    "another order than it is stored: remove it" },
	{ "[kiosk]\nprompt = a\xe2\x80\xaaz\n",
	    ":2: [kiosk] prompt: error: contains the bidi control U+202A, which shows text in "
	    "another order than it is stored: remove it" },
	{ "[kiosk]\npromo_caption = a\xe2\x81\xa6z\n",
	    ":2: [kiosk] promo_caption: error: contains the bidi control U+2066, which shows text "
	    "in another order than it is stored: remove it" },
	{ "[station]\ndistrict = a\xe2\x81\xa9z\n",
	    ":2: [station] district: error: contains the bidi control U+2069, which shows text in "
	    "another order than it is stored: remove it" },
	{ "[station]\ncommune = a\xe2\x80\xa8z\n",
	    ":2: [station] commune: error: contains the line separator U+2028: keep the value on "
	    "one line" },
	{ "[station]\naccess = a\xe2\x80\xa9z\n",
	    ":2: [station] access: error: contains the paragraph separator U+2029: keep the value "
	    "on one line" },
	{ "[server a]\nurl = http://h/\xe2\x80\xae/\n",
	    ":2: [server a] url: error: contains the bidi control U+202E, which shows text in "
	    "another order than it is stored: remove it" },
	{ "[server a\xe2\x80\xae" "b]\nurl = http://h/\n",
	    ":1: [server ab]: error: the server's name contains the bidi control U+202E, which "
	    "shows text in another order than it is stored: remove it" },
};

static void
test_bad_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
		struct config cfg;
		struct diags d = { 0 };

		print_message("case %zu: %s", i, bad_values[i].ini);
		assert_int_equal(load_text(bad_values[i].ini, &cfg, &d), -1);
		assert_true(has_diag(&d, bad_values[i].diag));
		diags_free(&d);
		config_free(&cfg);
	}
}

/* Quotes used as iniparser reads them are no problem: the whole value is kept. */
static void
test_quotes_kept(void **state)
{
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(load_text("[station]\nid = X\nname = 'Nhà \"văn\", hoá'\n"
	    "province = \"it's\" ; a comment\ndistrict = Nhà \"văn\"\ncommune = \"\"\n"
	    "[server a]\nurl = http://h/\n", &cfg, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg.station.name, "Nhà \"văn\", hoá");
	assert_string_equal(cfg.station.province, "it's");
	assert_string_equal(cfg.station.district, "Nhà \"văn\"");
	assert_string_equal(cfg.station.commune, "");
	diags_free(&d);
	config_free(&cfg);
}

/*
 * A token file the service would refuse is an error (check-config exits 78), but the
 * configuration stays usable: the bad file stops only its own sink (upload.c), not the kiosk.
 */
static void
test_bad_token_file_error_but_usable(void **state)
{
	char *token = xasprintf("%s/token", tmpdir), *text, *want;
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	write_file(token, "s3cret\n", 7);
	assert_int_equal(chmod(token, 0644), 0);
	text = xasprintf("[station]\nid = X\n[server a]\nurl = http://h/\n[upload]\nenabled = yes\n"
	    "url = http://c/r\ntoken_file = %s\n", token);
	assert_int_equal(load_text(text, &cfg, &d), 0);
	dump(&d);
	assert_int_equal(diags_count(&d, DIAG_ERROR), 1);
	want = xasprintf(":8: [upload] token_file: error: %s can be read by group or others "
	    "(mode 0644); refusing to use it: run chmod 600 %s", token, token);
	assert_true(has_diag(&d, want));
	assert_true(cfg.upload.enabled);
	free(want);
	free(text);
	diags_free(&d);
	config_free(&cfg);
	unlink(token);
	free(token);
}

/*
 * ca_file: a PEM file of certificates. A bad [test] one is an error; a bad [upload] one fails
 * check-config but only the uploads suffer (like a token file). A FIFO must not hang the load.
 */
static void
test_ca_file(void **state)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	char *ca = xasprintf("%s/ca.pem", tmpdir), *fifo = xasprintf("%s/fifo", tmpdir);
	char *empty = xasprintf("%s/empty.pem", tmpdir), *text, *want;
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	write_file(ca, pem, sizeof pem - 1);
	write_file(empty, "", 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	text = xasprintf("[station]\nid = X\n[server a]\nurl = https://h/\n[test]\nca_file = %s\n"
	    "[upload]\nca_file = %s\n", ca, ca);
	assert_int_equal(load_text(text, &cfg, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg.test.ca_file, ca);
	assert_string_equal(cfg.upload.ca_file, ca);
	config_free(&cfg);
	free(text);

	text = xasprintf("[station]\nid = X\n[server a]\nurl = https://h/\n[test]\nca_file = %s\n",
	    empty);
	assert_int_equal(load_text(text, &cfg, &d), -1);
	dump(&d);
	want = xasprintf(":6: [test] ca_file: error: %s holds no PEM certificate (no '-----BEGIN "
	    "CERTIFICATE-----' line): give the certificate authority in PEM form, e.g. openssl "
	    "x509 -in ca.der -inform der -out ca.pem", empty);
	assert_true(has_diag(&d, want));
	free(want);
	free(text);
	config_free(&cfg);
	diags_free(&d);

	text = xasprintf("[station]\nid = X\n[server a]\nurl = https://h/\n[upload]\n"
	    "ca_file = %s\n", fifo);
	assert_int_equal(load_text(text, &cfg, &d), 0);
	dump(&d);
	assert_int_equal(diags_count(&d, DIAG_ERROR), 1);
	want = xasprintf(":6: [upload] ca_file: error: %s is not a regular file", fifo);
	assert_true(has_diag(&d, want));
	free(want);
	free(text);
	config_free(&cfg);
	diags_free(&d);

	unlink(ca);
	unlink(empty);
	unlink(fifo);
	free(ca);
	free(empty);
	free(fifo);
}

/* URLs: at most CONFIG_URL_MAX bytes, wherever they come from (the INI, --server, a list). */
static void
test_url_length(void **state)
{
	char url[CONFIG_URL_MAX + 2];
	size_t head = strlen("http://h/");

	(void)state;
	memcpy(url, "http://h/", head);
	memset(url + head, 'a', CONFIG_URL_MAX - head);
	url[CONFIG_URL_MAX] = '\0';
	assert_null(config_url_problem(url));
	url[CONFIG_URL_MAX] = 'a';
	url[CONFIG_URL_MAX + 1] = '\0';
	assert_string_equal(config_url_problem(url), "is longer than 2048 bytes");
}

/* Warnings keep the file usable (config_load returns 0). */
static const struct {
	const char	*ini;
	const char	*diag;
} warnings[] = {
	{ "[test]\ndownlod_streams = 3\n",
	    ":2: [test] downlod_streams: warning: unknown key — typo? did you mean "
	    "'download_streams'?" },
	{ "[kiosk]\nlangauge = vi\n",
	    ":2: [kiosk] langauge: warning: unknown key — typo? did you mean 'language'?" },
	{ "[kiosk]\ncolour = red\n",
	    ":2: [kiosk] colour: warning: unknown key — ignored" },
	{ "[uploads]\nenabled = no\n",
	    ":1: [uploads]: warning: unknown section — typo? did you mean [upload]?" },
	{ "[sever hanoi]\nurl = http://10.0.0.2/\n",
	    ":1: [sever hanoi]: warning: unknown section — typo? did you mean [server NAME]?" },
	{ "[display]\nx = 1\n",
	    ":1: [display]: warning: unknown section — its keys are ignored" },
	{ "[kiosk]\npromo_qr_url = https://example.vn/app#install\n",
	    ":2: [kiosk] promo_qr_url: warning: value cut at '#' (text after ';' or '#' is a comment): "
	    "put the value in double quotes" },
	{ "[station]\nname = A;B\n",
	    ":2: [station] name: warning: value cut at ';' (text after ';' or '#' is a comment): "
	    "put the value in double quotes" },
	{ "[test]\nping_count = 10\nping_count = 12\n",
	    ":2: [test] ping_count: warning: set again on line 3, which wins" },
	{ "language = vi\n[kiosk]\n",
	    ":1: warning: 'language' is outside any [section] — ignored" },
	{ "[station]\nlatitude = 48.85\nlongitude = 2.35\n",
	    ":2: [station] latitude: warning: 48.85, 2.35 is outside Vietnam (lat 8.0..23.5, "
	    "lon 102.0..110.0) — typo?" },
	{ "[station]\nname = Ha\xcc\x80 No\xcc\xa3i\n",
	    ":2: [station] name: warning: uses combining accents; save the text precomposed (NFC) "
	    "or the console shows them apart" },
	{ "[server A]\nurl = http://10.0.0.2/\n[server a]\nlayout = go\n",
	    ":3: [server a]: warning: same server as [server A] on line 1 (server names ignore "
	    "case); keys are merged" },
	{ "[server a]\nurl = http://10.0.0.2/\nupload_path = up.php\n",
	    ":3: [server a] upload_path: warning: differs from ping_path; tramdo uses ping_path's "
	    "'empty' endpoint for both" },
	{ "[servers]\nlist_url = https://example.vn/l.json\n[test]\nserver = Hue\n",
	    ":4: [test] server: warning: 'Hue' is not a [server NAME] section: it must be in the "
	    "list from list_url" },
	{ "[metrics]\ntextfile = /var/lib/prometheus/node-exporter/tramdo.txt\n",
	    ":2: [metrics] textfile: warning: '/var/lib/prometheus/node-exporter/tramdo.txt' does not "
	    "end in .prom: node_exporter's textfile collector reads only *.prom files" },
	{ "[servers]\nlist_url = https://example.vn/l.json\nrefresh_hours = 6\n",
	    ":3: [servers] refresh_hours: warning: deprecated: the key is now called "
	    "list_refresh_hours (rename it; the value is used)" },
	{ "[servers]\nrefresh_hours = 6\nlist_url = https://example.vn/l.json\n"
	    "list_refresh_hours = 2\n",
	    ":2: [servers] refresh_hours: warning: deprecated name of list_refresh_hours, which "
	    "line 4 sets: this line is ignored" },
	{ "[kiosk]\n",
	    ": warning: no [server NAME] section and no [servers] list_url: the kiosk has nothing "
	    "to measure against" },
	{ "[test]\nschedule = 09:30, 21:58\nquiet_hours = 22:00-06:00\n",
	    ":2: [test] schedule: warning: 21:58 plus a station's delay of up to 300 s "
	    "(schedule_splay_seconds) reaches quiet_hours 22:00-06:00: a station whose delay falls "
	    "there skips that test (move the time earlier, or lower schedule_splay_seconds)" },
};

/* The delay reaches quiet hours only from times less than the splay before them. */
static void
test_splay_quiet(void **state)
{
	static const char *quiet[] = {
		"[test]\nschedule = 21:54\nquiet_hours = 22:00-06:00\n",
		"[test]\nschedule = 21:58\nquiet_hours = 22:00-06:00\nschedule_splay_seconds = 119\n",
		"[test]\nschedule = 23:00\nquiet_hours = 22:00-06:00\n",	/* in them already */
		"[test]\nschedule = every 30m\nquiet_hours = 22:00-06:00\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
		struct config cfg;
		struct diags d = { 0 };

		print_message("case %zu: %s", i, quiet[i]);
		assert_int_equal(load_text(quiet[i], &cfg, &d), 0);
		for (size_t j = 0; j < d.n; j++)
			assert_null(strstr(d.v[j].text, "reaches quiet_hours"));
		diags_free(&d);
		config_free(&cfg);
	}
}

static void
test_warnings(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof warnings / sizeof warnings[0]; i++) {
		struct config cfg;
		struct diags d = { 0 };

		print_message("case %zu: %s", i, warnings[i].ini);
		assert_int_equal(load_text(warnings[i].ini, &cfg, &d), 0);
		assert_true(has_diag(&d, warnings[i].diag));
		assert_int_equal(diags_count(&d, DIAG_ERROR), 0);
		diags_free(&d);
		config_free(&cfg);
	}
}

/* Swapped coordinates fail the latitude range, and the warning says why. */
static void
test_swapped_position(void **state)
{
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(load_text("[station]\nlatitude = 105.85\nlongitude = 21.03\n", &cfg, &d),
	    -1);
	assert_true(has_diag(&d, ":2: [station] latitude: error: 105.85 is out of range -90..90"));
	assert_true(has_diag(&d, ":2: [station] latitude: warning: 105.85, 21.03 is outside "
	    "Vietnam — swapped latitude/longitude?"));
	assert_false(cfg.station.has_position);
	diags_free(&d);
	config_free(&cfg);
}

/* Unattended tests may also come at a fixed interval. */
static void
test_schedule_forms(void **state)
{
	static const char *const forms[] = { "hourly", "every 5s", "every 60m", "every 2h",
	    "09:30, 15:00" };
	struct config cfg;
	struct diags d = { 0 };
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		snprintf(text, sizeof text, "[station]\nid = X\n[server a]\nurl = http://h/\n"
		    "[test]\nschedule = %s\n", forms[i]);
		assert_int_equal(load_text(text, &cfg, &d), 0);
		dump(&d);
		assert_int_equal(d.n, 0);
		assert_string_equal(cfg.test.schedule, forms[i]);
		diags_free(&d);
		config_free(&cfg);
	}
}

/* Every family choice, with server URLs that are IPv6 literals (brackets, a port, user-info). */
static void
test_ip_version_and_ipv6_urls(void **state)
{
	static const char *const choices[] = { "auto", "4", "6", "both", "BOTH" };
	struct config cfg;
	struct diags d = { 0 };
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
		snprintf(text, sizeof text, "[station]\nid = X\n[server a]\nurl = http://[fd00::2]:8080/\n"
		    "[server b]\nurl = https://u:p@[2001:db8::1]/s/\n[test]\nip_version = %s\n",
		    choices[i]);
		assert_int_equal(load_text(text, &cfg, &d), 0);
		dump(&d);
		assert_int_equal(d.n, 0);
		assert_true(strcasecmp(cfg.test.ip_version, choices[i]) == 0);
		assert_string_equal(cfg.servers[0].url, "http://[fd00::2]:8080/");
		diags_free(&d);
		config_free(&cfg);
	}
}

static void
test_quoted_hash_kept(void **state)
{
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(load_text("[station]\nid = X\n[server a]\nurl = \"http://h/s#x;y\"\n"
	    "[upload]\nurl = http://c/w ; the collector\n", &cfg, &d), 0);
	dump(&d);
	assert_int_equal(d.n, 0);	/* a comment after a blank is no surprise */
	assert_string_equal(cfg.servers[0].url, "http://h/s#x;y");
	assert_string_equal(cfg.upload.url, "http://c/w");
	diags_free(&d);
	config_free(&cfg);
}

/* Loading path fails with exactly one problem, "<path>: error: <what>"; cfg is the caller's to free. */
static void
assert_file_refused(const char *path, const char *what, struct config *cfg)
{
	struct diags d = { 0 };
	char *want = xasprintf("%s: error: %s", path, what);

	assert_int_equal(config_load(path, cfg, &d), -1);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].text, want);
	free(want);
	diags_free(&d);
}

static void
test_missing_file(void **state)
{
	struct config cfg;
	char *path = xasprintf("%s/does-not-exist.ini", tmpdir);

	(void)state;
	assert_file_refused(path, "cannot open: No such file or directory", &cfg);
	assert_string_equal(cfg.test.server, "auto");	/* defaults stay usable */
	free(path);
	config_free(&cfg);
}

static void
test_directory(void **state)
{
	struct config cfg;

	(void)state;
	assert_file_refused(tmpdir, "is a directory, not a file", &cfg);
	config_free(&cfg);
}

static void
test_fifo_does_not_block(void **state)
{
	struct config cfg;
	char *path = xasprintf("%s/fifo.ini", tmpdir);

	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_file_refused(path, "is not a regular file", &cfg);
	unlink(path);
	free(path);
	config_free(&cfg);
}

/* Loads the unreadable inipath: refused, and the message says why. */
static bool
unreadable_refused(void)
{
	struct config cfg;
	struct diags d = { 0 };
	bool ok;

	ok = config_load(inipath, &cfg, &d) == -1 &&
	    has_diag(&d, ": error: cannot open: Permission denied");
	diags_free(&d);
	config_free(&cfg);
	return ok;
}

/* Root reads every file: then the load runs in a child that has become nobody. */
static void
test_unreadable(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	write_file(inipath, "[kiosk]\n", 8);
	chmod(inipath, 0);
	if (geteuid() != 0)
		assert_true(unreadable_refused());
	else {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			status = setgroups(0, NULL) == 0 && setgid(65534) == 0 &&
			    setuid(65534) == 0 && unreadable_refused() ? 0 : 1;
			fflush(stdout);
			_exit(status);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	chmod(inipath, 0600);
}

static void
test_binary_garbage(void **state)
{
	static const char junk[] = "\x7f" "ELF\x02\x01\x01\0\0\0\x03\x00\x3e\x00[x]\n=\xff\xfe";
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	write_file(inipath, junk, sizeof junk - 1);
	assert_int_equal(config_load(inipath, &cfg, &d), -1);
	assert_true(has_diag(&d, ":1: error: cannot be parsed: binary data (a NUL byte); is this the "
	    "configuration file?"));
	diags_free(&d);
	config_free(&cfg);

	assert_int_equal(load_text("[kiosk]\nprompt = \xff\xfe\xc3\n", &cfg, &d), -1);
	assert_true(has_diag(&d, ":2: error: is not valid UTF-8 text (save the file as UTF-8)"));
	diags_free(&d);
	config_free(&cfg);
}

static void
test_long_line(void **state)
{
	struct config cfg;
	struct diags d = { 0 };
	char *text = xmalloc(2000);

	(void)state;
	strcpy(text, "[kiosk]\nprompt = ");
	memset(text + strlen(text), 'a', 1500);
	strcpy(text + 17 + 1500, "\n");
	assert_int_equal(load_text(text, &cfg, &d), -1);
	assert_true(has_diag(&d, ":2: error: cannot be parsed: line longer than 1022 bytes"));
	free(text);
	diags_free(&d);
	config_free(&cfg);
}

static void
test_syntax_errors(void **state)
{
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	/* iniparser goes on after a syntax error: both lines are reported. */
	assert_int_equal(load_text("[kiosk]\nlanguage vi\n[test\n", &cfg, &d), -1);
	assert_true(has_diag(&d, ":2: error: cannot be parsed: syntax error (expected [section], "
	    "key = value or a comment)"));
	assert_true(has_diag(&d, ":3: error: cannot be parsed: syntax error (expected [section], "
	    "key = value or a comment)"));
	diags_free(&d);
	config_free(&cfg);

	assert_int_equal(load_text("\xef\xbb\xbf[kiosk]\n", &cfg, &d), -1);
	assert_true(has_diag(&d, ":1: error: cannot be parsed: the file starts with a byte-order "
	    "mark; save it as UTF-8 without BOM"));
	diags_free(&d);
	config_free(&cfg);
}

static void
test_every_problem_reported(void **state)
{
	struct config cfg;
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(load_text("[test]\ndownload_streams = 0\nupload_streams = 99\n"
	    "[kiosk]\nlanguage = de\nresult_secs = 5\n", &cfg, &d), -1);
	assert_int_equal(diags_count(&d, DIAG_ERROR), 3);
	assert_true(diags_count(&d, DIAG_WARNING) >= 1);
	/* a bad value leaves the default in place */
	assert_int_equal(cfg.test.download_streams, 6);
	assert_string_equal(cfg.kiosk.language, "vi");
	diags_free(&d);
	config_free(&cfg);
}

/* Numbers are read the C way whatever the locale: "." is the point, "," is garbage. */
static void
test_c_locale_numbers(void **state)
{
	double x;
	long l;

	(void)state;
	assert_false(parse_double("1,5", &x));
	assert_true(parse_double("1.5", &x));
	assert_true(x == 1.5);
	assert_true(parse_long("010", &l));
	assert_int_equal(l, 10);
	assert_false(parse_long("0x10", &l));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_metrics_textfile),
		cmocka_unit_test(test_schedule_forms),
		cmocka_unit_test(test_ip_version_and_ipv6_urls),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_quotes_kept),
		cmocka_unit_test(test_url_length),
		cmocka_unit_test(test_bad_token_file_error_but_usable),
		cmocka_unit_test(test_ca_file),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_splay_quiet),
		cmocka_unit_test(test_swapped_position),
		cmocka_unit_test(test_quoted_hash_kept),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_fifo_does_not_block),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_every_problem_reported),
		cmocka_unit_test(test_c_locale_numbers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
