/*
 * tls.h — which certificate authorities an HTTPS request trusts. Certificates are always
 * verified (peer and host name); a CA file given in the configuration ([test] ca_file,
 * [upload] ca_file) replaces the system's authorities for those requests. Nothing here can
 * turn verification off.
 */
#ifndef TRAMDO_TLS_H
#define TRAMDO_TLS_H

#include <stddef.h>

#include <curl/curl.h>

/* Verification on; ca_file (PEM), when not NULL, is the only set of authorities trusted. */
void tls_trust(CURL *easy, const char *ca_file);

/*
 * NULL when path is a readable regular file of at most TLS_CA_MAX_MIB MiB holding at least one
 * PEM certificate, else why not in buf (English, naming the file) and buf returned.
 */
#define TLS_CA_MAX_MIB	4	/* Debian's whole bundle is 0.2 MiB */
const char *tls_ca_file_problem(const char *path, char *buf, size_t len);

#endif
