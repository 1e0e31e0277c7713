/*
 * test_sched.c - the delay before the next poll, outcome by outcome, with
 * the jitter pinned by fixed random numbers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/read/sched.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

static void
test_success(void **state)
{
	(void)state;
	assert_int_equal(
	    sched_next_delay(OUTCOME_OK, 15 * MIN, 0, 0, 0.7), 15 * MIN);
	assert_int_equal(
	    sched_next_delay(OUTCOME_NOT_MODIFIED, 2 * HOUR, 0, 5 * MIN, 0.2),
	    2 * HOUR);
}

static void
test_gone(void **state)
{
	(void)state;
	assert_int_equal(
	    sched_next_delay(OUTCOME_GONE, 15 * MIN, 1, 0, 0.5), -1);
}

static void
test_failed_first(void **state)
{
	(void)state;
	/* A quarter of 15m, then equal jitter over its upper half. */
	assert_int_equal(
	    sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1, 0, 0), 225 * SEC / 2);
	assert_int_equal(sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1, 0, 0.5),
	    225 * SEC * 3 / 4);
	int64_t top =
	    sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1, 0, 0.999999);
	assert_true(top < 225 * SEC && top > 224 * SEC);
}

static void
test_failed_doubles(void **state)
{
	(void)state;
	assert_int_equal(
	    sched_next_delay(OUTCOME_FAILED, 15 * MIN, 2, 0, 0), 225 * SEC);
	assert_int_equal(
	    sched_next_delay(OUTCOME_FAILED, 15 * MIN, 3, 0, 0), 450 * SEC);
	/* The longer the interval, the later the first retry. */
	assert_int_equal(
	    sched_next_delay(OUTCOME_FAILED, 4 * HOUR, 1, 0, 0), 30 * MIN);
}

static void
test_failed_floor(void **state)
{
	(void)state;
	/* A 10s feed is not retried every 10s: 30s floor, halved by the
	 * jitter at worst. */
	assert_int_equal(
	    sched_next_delay(OUTCOME_FAILED, 10 * SEC, 1, 0, 0), 15 * SEC);
	assert_int_equal(
	    sched_next_delay(OUTCOME_FAILED, 10 * SEC, 0, 0, 0), 15 * SEC);
}

static void
test_failed_cap(void **state)
{
	(void)state;
	assert_int_equal(sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1000, 0, 0),
	    SCHED_BACKOFF_CAP_MS / 2);
	assert_int_equal(
	    sched_next_delay(OUTCOME_FAILED, 7 * 24 * HOUR, 1, 0, 0.5),
	    SCHED_BACKOFF_CAP_MS * 3 / 4);
	assert_true(sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1000, 0,
	                0.999999) <= SCHED_BACKOFF_CAP_MS);
}

static void
test_bad_rnd(void **state)
{
	(void)state;
	assert_int_equal(sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1, 0, 1.0),
	    225 * SEC / 2);
	assert_int_equal(sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1, 0, -3),
	    225 * SEC / 2);
	assert_int_equal(sched_next_delay(OUTCOME_FAILED, 15 * MIN, 1, 0, NAN),
	    225 * SEC / 2);
}

static void
test_throttled(void **state)
{
	(void)state;
	/* The server's word when later than the backoff... */
	assert_int_equal(
	    sched_next_delay(OUTCOME_THROTTLED, 15 * MIN, 1, HOUR, 0.5), HOUR);
	/* ...the backoff when later than the server's word... */
	assert_int_equal(
	    sched_next_delay(OUTCOME_THROTTLED, 15 * MIN, 1, 10 * SEC, 0),
	    225 * SEC / 2);
	assert_int_equal(
	    sched_next_delay(OUTCOME_THROTTLED, 15 * MIN, 1, 0, 0.5),
	    225 * SEC * 3 / 4);
	/* ...and a server asking for a month gets a day. */
	assert_int_equal(
	    sched_next_delay(OUTCOME_THROTTLED, 15 * MIN, 1, 30 * 24 * HOUR, 0),
	    SCHED_RETRY_AFTER_CAP_MS);
}

/* The outcome's name is what the fetches table and /metrics say. */
static void
test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(fetch_outcome_name(OUTCOME_OK), "ok");
	assert_string_equal(
	    fetch_outcome_name(OUTCOME_NOT_MODIFIED), "not_modified");
	assert_string_equal(fetch_outcome_name(OUTCOME_GONE), "gone");
	assert_string_equal(fetch_outcome_name(OUTCOME_THROTTLED), "throttled");
	assert_string_equal(fetch_outcome_name(OUTCOME_FAILED), "failed");
	assert_string_equal(fetch_outcome_name(OUTCOME_PARTIAL), "partial");
	assert_string_equal(fetch_outcome_name(OUTCOME_DENIED), "denied");
	/* Refused credentials disable the source, as 410 does. */
	assert_int_equal(
	    sched_next_delay(OUTCOME_DENIED, 60000, 1, 0, 0.5), -1);
	/* Anything unforeseen is a failure. */
	assert_string_equal(
	    fetch_outcome_name((enum fetch_outcome)42), "failed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_failed_first),
		cmocka_unit_test(test_failed_doubles),
		cmocka_unit_test(test_failed_floor),
		cmocka_unit_test(test_failed_cap),
		cmocka_unit_test(test_bad_rnd),
		cmocka_unit_test(test_throttled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
