/*
 * encode.h — a stored result (design §7 JSON, as made by result_to_json) in the collectors'
 * formats: InfluxDB line protocol and the LibreSpeed telemetry form.
 */
#ifndef TRAMDO_ENCODE_H
#define TRAMDO_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* "2026-11-25T03:04:05Z" (a fraction of a second is allowed) → epoch seconds. */
bool	 encode_parse_utc(const char *s, double *out);

/* Line-protocol escaping (into a new string): tag keys/values and measurement names. */
char	*encode_influx_tag(const char *s);
/* A string field value, with its double quotes. */
char	*encode_influx_string(const char *s);

/*
 * One point of measurement "speedtest": tags station, commune_code, isp, server, source; a
 * field per figure; timestamp = started_at in s (or ms when precision_ms). Caller frees; NULL
 * with a reason in err when the object is not a result.
 */
char	*encode_influx(struct json_object *result, bool precision_ms, char *err, size_t errlen);

/*
 * The LibreSpeed telemetry form (application/x-www-form-urlencoded): ispinfo, dl, ul, ping,
 * jitter, log, extra (station, location, trigger and result id as JSON). Caller frees; NULL
 * with a reason in err when the result is not a complete measurement.
 */
char	*encode_librespeed(struct json_object *result, char *err, size_t errlen);

#endif
