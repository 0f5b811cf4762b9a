/* url.c — see url.h. */
#include "url.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>

#include "util.h"

/* Whether part is set in h: curl answers CURLUE_NO_USER etc. when it is absent. */
static bool
has_part(CURLU *h, CURLUPart part)
{
	char *v = NULL;
	bool set = curl_url_get(h, part, &v, 0) == CURLUE_OK && v != NULL;

	curl_free(v);
	return set;
}

char *
url_redact(const char *url)
{
	CURLU *h;
	char *clean = NULL, *out;

	if (url == NULL)
		return NULL;
	/* Any scheme: a URL that check-config rejects still reaches its error message. */
	h = curl_url();
	if (h == NULL || curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(h);
		return xstrdup(strchr(url, '@') != NULL ? URL_REDACTED : url);
	}
	if (!has_part(h, CURLUPART_USER) && !has_part(h, CURLUPART_PASSWORD) &&
	    !has_part(h, CURLUPART_OPTIONS)) {
		curl_url_cleanup(h);
		return xstrdup(url);	/* curl would normalise it: keep what staff wrote */
	}
	if (curl_url_set(h, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_URL, &clean, 0) != CURLUE_OK)
		out = xstrdup(URL_REDACTED);
	else
		out = xstrdup(clean);
	curl_free(clean);
	curl_url_cleanup(h);
	return out;
}
