/*
 * test_url.c — url_redact: the user name and password written into a URL never come back;
 * everything else of the URL does, byte for byte when there was nothing to remove.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "url.h"

static void
check(const char *in, const char *want)
{
	char *got = url_redact(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_user_info_removed(void **state)
{
	(void)state;
	check("http://user:s3cretPW@127.0.0.1:8080/", "http://127.0.0.1:8080/");
	check("https://user@speed.example.vn/lib/", "https://speed.example.vn/lib/");
	check("http://:pw@h.example/", "http://h.example/");
	check("http://u:@h.example/x", "http://h.example/x");
	/* the query and fragment are the collector's business, not a login */
	check("https://u:p@h.example/write?db=x&precision=s", "https://h.example/write?db=x&precision=s");
	check("http://us%40er:p%3Aw%2F@[::1]:9/a", "http://[::1]:9/a");
	check("http://u:p@[fd00::2]:8080/", "http://[fd00::2]:8080/");
	check("https://u@[2001:db8::1]/speed/", "https://[2001:db8::1]/speed/");
	check("HTTP://U:P@H.EXAMPLE/", "http://H.EXAMPLE/");
	check("ftp://u:p@h.example/f", "ftp://h.example/f");
}

static void
test_plain_urls_unchanged(void **state)
{
	(void)state;
	/* no normalisation when there is nothing to remove: what staff wrote is what they see */
	check("http://127.0.0.1:8080", "http://127.0.0.1:8080");
	check("HTTP://Speed.Example.VN", "HTTP://Speed.Example.VN");
	check("http://h.example/a?mail=x@y.vn", "http://h.example/a?mail=x@y.vn");
	check("https://h.example/%7euser/", "https://h.example/%7euser/");
	check("http://[fd00::2]:8080/", "http://[fd00::2]:8080/");
	check("http://[FD00:0::2]/", "http://[FD00:0::2]/");
}

static void
test_unparsable_text(void **state)
{
	(void)state;
	check("not a url", "not a url");
	check("", "");
	check("Trung tâm Hà Nội", "Trung tâm Hà Nội");
	/* curl cannot say where the password ends: nothing of it is shown */
	check("http://user:s3cretPW@", URL_REDACTED);
	check("user:s3cretPW@127.0.0.1", URL_REDACTED);
	check("http://u:p w@h.example/", URL_REDACTED);
	assert_null(url_redact(NULL));
}

/* Whatever curl makes of an '@' inside the password, no piece of the password survives. */
static void
test_at_in_password(void **state)
{
	static const char *const tricky[] = {
		"http://u:s3c@ret@h.example/", "http://u:s3c%40ret@h.example/",
		"http://u:s3c:ret@h.example/", "http://u;auth=s3cret:x@h.example/",
		"http://u:s3cret@h.example@evil.example/",
	};

	(void)state;
	for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
		char *got = url_redact(tricky[i]);

		assert_non_null(got);
		if (strstr(got, "s3c") != NULL || strstr(got, "ret@") != NULL)
			fail_msg("%s -> %s", tricky[i], got);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_info_removed),
		cmocka_unit_test(test_plain_urls_unchanged),
		cmocka_unit_test(test_unparsable_text),
		cmocka_unit_test(test_at_in_password),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
