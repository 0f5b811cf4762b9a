/*
 * result.h — a new result for one test: its id, start time, trigger and station, from the
 * configuration. Its text formats are codec.h's.
 */
#ifndef TRAMDO_RESULT_H
#define TRAMDO_RESULT_H

#include "model.h"

struct config;

/* A new result: fresh id, started_at = now, station copied from cfg (may be NULL). */
int  result_init(struct result *r, const struct config *cfg, const char *trigger);
/* Takes a deep copy of the engine's figures. */
void result_set_measurement(struct result *r, const struct test_figures *m);

#endif
