/*
 * test_date.c - date_parse on the forms feeds really use, and formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/read/date.h"

/* 2004-06-04T12:00:00Z */
#define T0 INT64_C(1086350400)

static const struct {
	const char *s;
	int64_t t;
} good[] = {
	{ "Fri, 04 Jun 2004 12:00:00 GMT", T0 },
	{ "Fri, 4 Jun 2004 12:00:00 +0000", T0 },
	{ "04 Jun 2004 12:00:00 GMT", T0 }, /* no day name */
	{ "Mon, 04 Jun 2004 12:00:00 GMT", T0 }, /* wrong day name */
	{ "Friday, 04 June 2004 12:00:00 GMT", T0 }, /* full names */
	{ "Fri, 04 Jun 04 12:00:00 GMT", T0 }, /* two-digit year */
	{ "Fri, 04 Jun 2004 12:00 GMT", T0 }, /* no seconds */
	{ "fri, 04 jun 2004 12:00:00 gmt", T0 }, /* lower case */
	{ "Fri,  04  Jun  2004,  12:00:00  GMT ", T0 }, /* spaces, commas */
	{ "Fri, 04 Jun 2004 08:00:00 EDT", T0 },
	{ "Fri, 04 Jun 2004 07:00:00 EST", T0 },
	{ "Fri, 04 Jun 2004 07:00:00 CDT", T0 },
	{ "Fri, 04 Jun 2004 06:00:00 CST", T0 },
	{ "Fri, 04 Jun 2004 06:00:00 MDT", T0 },
	{ "Fri, 04 Jun 2004 05:00:00 MST", T0 },
	{ "Fri, 04 Jun 2004 05:00:00 PDT", T0 },
	{ "Fri, 04 Jun 2004 04:00:00 PST", T0 },
	{ "Fri, 04 Jun 2004 12:00:00 UT", T0 },
	{ "Fri, 04 Jun 2004 12:00:00 UTC", T0 },
	{ "Fri, 04 Jun 2004 12:00:00 Z", T0 },
	{ "Fri, 04 Jun 2004 11:00:00 A", T0 }, /* military, RFC 822 signs */
	{ "Fri, 04 Jun 2004 13:00:00 N", T0 },
	{ "Fri, 04 Jun 2004 14:00:00 +0200", T0 },
	{ "Fri, 04 Jun 2004 14:00:00 +02:00", T0 },
	{ "Fri, 04 Jun 2004 09:30:00 -0230", T0 },
	{ "Fri, 04 Jun 2004 12:00:00", T0 }, /* no zone: UTC */
	{ "Fri Jun  4 12:00:00 2004", T0 }, /* asctime order */
	{ "Sat, 04 Sept 2004 12:00:00 GMT", INT64_C(1094299200) },
	{ "Sat, 04 Sep. 2004 12:00:00 GMT", INT64_C(1094299200) },
	{ "2004-06-04T12:00:00Z", T0 },
	{ "2004-06-04t12:00:00z", T0 },
	{ "2004-06-04T12:00:00.123456Z", T0 },
	{ "2004-06-04T14:00:00+02:00", T0 },
	{ "2004-06-04T14:00:00+0200", T0 },
	{ "2004-06-04T07:00:00-05:00", T0 },
	{ "2004-06-04 12:00:00", T0 },
	{ "2004-06-04T12:00Z", T0 },
	{ "  2004-06-04T12:00:00Z\n", T0 },
	{ "2004-06-04", INT64_C(1086307200) },
	{ "2004-06", INT64_C(1086048000) },
	{ "2004", INT64_C(1072915200) },
	{ "2024-02-29T00:00:00Z", INT64_C(1709164800) },
	{ "1969-12-31T23:59:59Z", INT64_C(-1) },
	{ "Wed, 31 Dec 2003 23:59:00 GMT", INT64_C(1072915140) },
	{ "Fri, 01 Jan 99 00:00:00 GMT", INT64_C(915148800) },
};

static const char *const bad[] = {
	"",
	/* Digits enough to overflow an int, wrapping to a plausible year. */
	"Mon, 01 Jan 4294969296 00:00:00 GMT",
	"Mon, 01 Jan 999999999999999 00:00:00 GMT",
	"Mon, 4294967297 Jan 2020 00:00:00 GMT",
	"Mon, 01 Jan 02020 00:00:00 GMT",
	"   ",
	"garbage",
	"yesterday",
	"2004-13-01",
	"2004-02-30",
	"2003-02-29T00:00:00Z",
	"2004-06-04T25:00:00Z",
	"2004-06-04T12:61:00Z",
	"2004-06-04T12:00:00+99:00",
	"2004-06-04Tfoo",
	"Fri, 32 Jun 2004",
	"Fri, 04 Foo 2004 12:00:00 GMT",
	"Fri, 04 Jun 2004 12:00:00 XYZ",
	"Fri, 04 Jun 2004 12:00:00 GMT trailing",
	"12:00:00",
	"Jun 2004",
	"2004-06-04T12:00:00Z junk",
	"\xff\xfe\xfd",
	"99999999999999999999999999999999999999999999999999",
};

static void
test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t t = date_parse(good[i].s);
		if (t != good[i].t)
			fail_msg("\"%s\": got %lld, want %lld", good[i].s,
			    (long long)t, (long long)good[i].t);
	}
}

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (date_parse(bad[i]) != DATE_NONE)
			fail_msg("\"%s\" should not parse", bad[i]);
	assert_true(date_parse(NULL) == DATE_NONE);
}

static void
test_format(void **state)
{
	char s[DATE_RFC3339_LEN];

	(void)state;
	date_format_rfc3339(T0, s);
	assert_string_equal(s, "2004-06-04T12:00:00Z");
	date_format_rfc3339(0, s);
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	date_format_rfc3339(INT64_C(1709164800), s);
	assert_string_equal(s, "2024-02-29T00:00:00Z");
	date_format_rfc3339(DATE_NONE, s);
	assert_string_equal(s, "");
	/* The years written digit by digit, and the others strftime's. */
	date_format_rfc3339(INT64_C(-30610224000), s);
	assert_string_equal(s, "1000-01-01T00:00:00Z");
	date_format_rfc3339(INT64_C(253402300799), s);
	assert_string_equal(s, "9999-12-31T23:59:59Z");
	date_format_rfc3339(INT64_C(253402300800), s);
	assert_string_equal(s, "10000-01-01T00:00:00Z");
	date_format_rfc3339(INT64_C(-30610224001), s);
	assert_string_equal(s, "999-12-31T23:59:59Z");
	/* Round trip through the parser. */
	date_format_rfc3339(INT64_C(1234567890), s);
	assert_true(date_parse(s) == INT64_C(1234567890));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
