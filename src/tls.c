/* tls.c — see tls.h. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define STRINGIFY(x)	#x
#define TEXT_OF(x)	STRINGIFY(x)	/* a number macro as a string literal */
#define PEM_CERT_BEGIN	"-----BEGIN CERTIFICATE-----"

void
tls_trust(CURL *easy, const char *ca_file)
{
	/* libcurl's defaults, stated so that nobody flips them. */
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file == NULL)
		return;
	/*
	 * Debian's libcurl also looks in /etc/ssl/certs (its CA path) beside the bundle: clear it,
	 * so that the file is the whole trust and a certificate from any other authority fails.
	 */
	curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
}

/* Why a file that fstat described cannot be a CA file, or NULL. */
static const char *
not_a_ca_file(const struct stat *sb)
{
	if (S_ISDIR(sb->st_mode))
		return "is a directory: give a PEM file of certificates";
	if (!S_ISREG(sb->st_mode))
		return "is not a regular file";
	if (sb->st_size > (off_t)TLS_CA_MAX_MIB << 20)
		return "is larger than " TEXT_OF(TLS_CA_MAX_MIB) " MiB: not a CA file";
	return NULL;
}

/* The file's text (NUL-terminated), or NULL with why not in buf. */
static char *
read_ca(const char *path, char *buf, size_t len)
{
	struct stat sb;
	const char *why;
	char *text;
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	/* O_NONBLOCK: a FIFO named here must not hang check-config or the kiosk's reload. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(buf, len, "cannot open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if ((why = not_a_ca_file(&sb)) != NULL) {
		snprintf(buf, len, "%s %s", path, why);
		close(fd);
		return NULL;
	}
	text = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size &&
	    (n = read(fd, text + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (n < 0) {
		snprintf(buf, len, "cannot read %s: %s", path, strerror(errno));
		free(text);
		return NULL;
	}
	text[got] = '\0';
	return text;
}

const char *
tls_ca_file_problem(const char *path, char *buf, size_t len)
{
	char *text = read_ca(path, buf, len);
	bool pem;

	if (text == NULL)
		return buf;
	/*
	 * OpenSSL (through libcurl) parses the certificates when a request needs them; a file
	 * without one PEM block is surely the wrong file (a key, a DER certificate, empty).
	 */
	pem = strstr(text, PEM_CERT_BEGIN) != NULL;
	free(text);
	if (pem)
		return NULL;
	snprintf(buf, len, "%s holds no PEM certificate (no '" PEM_CERT_BEGIN "' line): give "
	    "the certificate authority in PEM form, e.g. openssl x509 -in ca.der -inform der "
	    "-out ca.pem", path);
	return buf;
}
