/*
 * codec.h — a result (model.h) in the formats it leaves the program in, and back from the one
 * it is stored in: design §7 JSON (stored rows, the log, `--json`, history and export, the json
 * sink), InfluxDB line protocol, the LibreSpeed telemetry form and CSV. The only module that
 * knows the result's JSON keys. Figures are written with fixed decimals, in the C locale.
 * Every string returned is new: the caller frees it.
 */
#ifndef TRAMDO_CODEC_H
#define TRAMDO_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* design §7 as one line of JSON, "/" unescaped; a failed test has "error" instead of figures. */
char	*codec_json(const struct result *r);
/*
 * The inverse, for stored rows: strict about types (a figure that is not a number is unknown),
 * lenient about absent fields. 0, or -1 with a reason in err when text is not a result (not
 * JSON, no UUID "id" or no UTC "started_at"). r is overwritten, not freed first; result_free it.
 */
int	 codec_parse_json(const char *text, size_t len, struct result *r, char *err,
	    size_t errlen);

/* Line-protocol escaping into a new string: a tag key or value; a string field, quoted. */
char	*codec_influx_tag(const char *s);
char	*codec_influx_string(const char *s);
/* One InfluxDB point of measurement "speedtest" (docs/upload.md), time in s or ms. */
char	*codec_influx(const struct result *r, bool precision_ms);
/*
 * LibreSpeed's telemetry form, its dl, ul, ping and jitter as its own client computes them
 * (a failed test: "Fail"), tramdo's figures in extra; NULL with a reason in err for a cancelled
 * test or a measurement without rates or latency samples.
 */
char	*codec_librespeed(const struct result *r, char *err, size_t errlen);

/*
 * One CSV row (RFC 4180) for `tramdo export`, ending in CRLF; r NULL: the header row. A text
 * cell a spreadsheet would run as a formula (starting with = + - @, tab or CR) starts with an
 * apostrophe; figures are as the JSON has them.
 */
char	*codec_csv(const struct result *r);

#endif
