/* result.c — see result.h. */
#include "result.h"

#include <stdio.h>

#include "config.h"
#include "util.h"

int
result_init(struct result *r, const struct config *cfg, const char *trigger)
{
	result_clear(r);
	if (uuid_v4(r->id) != 0)
		return -1;
	r->started_at = now_wall();
	snprintf(r->trigger, sizeof r->trigger, "%s", trigger);
	snprintf(r->software, sizeof r->software, "tramdo/%s", TRAMDO_VERSION);
	if (cfg != NULL) {
		r->station.id = xstrdup(cfg->station.id);
		r->station.name = xstrdup(cfg->station.name);
		r->station.province = xstrdup(cfg->station.province);
		r->station.district = xstrdup(cfg->station.district);
		r->station.commune = xstrdup(cfg->station.commune);
		r->station.commune_code = xstrdup(cfg->station.commune_code);
		r->station.isp = xstrdup(cfg->station.isp);
		r->station.access = xstrdup(cfg->station.access);
	}
	return 0;
}

void
result_set_measurement(struct result *r, const struct test_figures *m)
{
	figures_free(&r->fig);
	figures_copy(&r->fig, m);
}
