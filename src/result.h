/*
 * result.h — a result put together for one test, and its JSON form (design §7, json-c).
 */
#ifndef TRAMDO_RESULT_H
#define TRAMDO_RESULT_H

#include "model.h"

struct config;
struct json_object;

/* A new result: fresh id, started_at = now, station copied from cfg (may be NULL). */
int  result_init(struct result *r, const struct config *cfg, const char *trigger);
/* Takes a deep copy of the engine's figures. */
void result_set_measurement(struct result *r, const struct test_figures *m);

/* design §7 as a json-c object (caller puts it); failed tests carry an "error" object. */
struct json_object *result_to_json(const struct result *r);
/* The inverse, for the store; -1 on a malformed object. */
int  result_from_json(struct json_object *o, struct result *r);

#endif
