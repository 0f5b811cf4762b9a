/*
 * url.h — URLs as tramdo shows them: without the user name and password a staff member may
 * have written into a server, collector or list URL. The full URL is for the request only
 * (libcurl sends its user-info as HTTP Basic authentication); everything that is stored,
 * uploaded, logged, printed or drawn gets url_redact()'s copy.
 */
#ifndef TRAMDO_URL_H
#define TRAMDO_URL_H

/*
 * A new string: url without user, password and login options, parsed by libcurl's URL API;
 * a URL without them comes back byte for byte. Text libcurl cannot parse comes back as is
 * unless it holds an '@' (where user-info would end): then URL_REDACTED, since nothing
 * can tell which part of it is the password. NULL stays NULL.
 */
char *url_redact(const char *url);

#define URL_REDACTED	"(a URL with user-info, not shown)"

#endif
