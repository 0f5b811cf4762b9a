/*
 * ipprobe.h — one short look at the other IP family: does the measurement server answer over
 * IPv6 (or IPv4) from here? A ping (the server's empty endpoint) and getIP, with that family
 * forced, within IPPROBE_SECONDS in all. It says yes or no and never fails a test; the result's
 * `ipv6` field comes from it when the test itself ran over IPv4.
 *
 * It plugs into the caller's poll() loop like the engine (measure.h) and never blocks.
 */
#ifndef TRAMDO_IPPROBE_H
#define TRAMDO_IPPROBE_H

#include <poll.h>
#include <stdbool.h>

#include "measure.h"

#define IPPROBE_SECONDS	2.0	/* the most a probe adds to a test */

struct ipprobe;

/*
 * Starts at once; family 4 or 6; ca_file as [test] ca_file (tls.h: an https server is trusted as
 * the test trusted it). NULL when libcurl cannot (the answer is then unknown).
 */
struct ipprobe *ipprobe_new(const struct measure_server *server, int family, const char *ca_file);
void	ipprobe_free(struct ipprobe *p);

int	ipprobe_fds(void *p, struct pollfd *fds, int max);
int	ipprobe_timeout(void *p);
void	ipprobe_step(void *p, const struct pollfd *fds, int n);

bool	ipprobe_finished(const struct ipprobe *p);
/* Once finished: whether the server answered the ping over the family. */
bool	ipprobe_works(const struct ipprobe *p);

#endif
