/*
 * result.h — one finished measurement as stored, logged and uploaded (design §7), and its
 * encodings: JSON (json-c) and InfluxDB line protocol.
 */
#ifndef TRAMDO_RESULT_H
#define TRAMDO_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "measure.h"

struct config;
struct json_object;

enum location_source { LOC_NONE, LOC_GPS, LOC_STATION };

struct location {
	enum location_source	source;
	double	lat, lon;
	double	alt_m;		/* NAN when unknown */
	double	accuracy_m;	/* NAN when unknown */
	int	satellites;	/* -1 when unknown */
	double	fix_time;	/* epoch seconds, 0 when not from GPS */
};

struct result {
	char			id[37];		/* UUID v4 */
	double			started_at;	/* epoch seconds */
	char			trigger[16];	/* "citizen" | "schedule" | "cli" */
	struct {
		char	*id, *name, *province, *district, *commune, *commune_code, *isp, *access;
	} station;
	struct location		location;
	struct measure_result	m;		/* owns its strings */
};

/* A new result: fresh id, started_at = now, station copied from cfg (may be NULL). */
int  result_init(struct result *r, const struct config *cfg, const char *trigger);
/* Takes a deep copy of the engine's figures. */
void result_set_measurement(struct result *r, const struct measure_result *m);
void result_free(struct result *r);

/* design §7 as a json-c object (caller puts it); failed tests carry an "error" object. */
struct json_object *result_to_json(const struct result *r);
/* The inverse, for the store; -1 on a malformed object. */
int  result_from_json(struct json_object *o, struct result *r);

const char *location_source_name(enum location_source s);

#endif
