/*
 * skip.h — a cmocka skip that says why. tests/run prints the reason in its summary and fails a
 * test binary that skips without one. Include after <cmocka.h>.
 */
#ifndef TRAMDO_TEST_SKIP_H
#define TRAMDO_TEST_SKIP_H

#define skip_because(why) do {						\
	print_message("# SKIP %s: %s\n", __func__, (why));		\
	skip();								\
} while (0)

#endif
