/*
 * test_rows.c - a save's items as records (service/db/store_rows.c): an
 * item's record checked whole and refused cut short or miscounted, a
 * text that is not UTF-8 in it NULL; the JSON of a spool file of an
 * earlier version, its texts inside it or beside it, turned into the
 * very same record; JSON that does not go with its count or its texts
 * refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "core/read/feed.h"
#include "service/db/store_int.h"

/* Its summary has quotes, a backslash and a line break; no content. */
static void
sample(struct item *it)
{
	memset(it, 0, sizeof *it);
	it->id = "g1";
	it->link = "https://x.example/1";
	it->title = "Acme ferme";
	it->summary = "L'usine \"Acme\" \\ ferme\net rouvre";
	it->published = 1700000000;
	it->updated = DATE_NONE;
	it->engaged = 1u << ENG_LIKES;
	it->engagement[ENG_LIKES] = 42;
}

/* The same item as an earlier version's JSON, its texts inside. */
static const char sample_json[] =
    "[{\"source\":7,\"guid\":\"g1\",\"link\":\"https://x.example/1\","
    "\"title\":\"Acme ferme\",\"summary\":\"L'usine \\\"Acme\\\" \\\\ "
    "ferme\\net rouvre\",\"lang\":\"fr\",\"published\":1700000000,"
    "\"likes\":42,\"mentions\":[]}]";

/* Its summary and content as version 2 kept them beside the JSON. */
static char *
sample_texts(size_t *len)
{
	const char *s = "L'usine \"Acme\" \\ ferme\net rouvre";
	size_t n = strlen(s);
	unsigned char *t = xmalloc(4 + n + 4);

	t[0] = 0;
	t[1] = 0;
	t[2] = 0;
	t[3] = (unsigned char)n;
	memcpy(t + 4, s, n);
	memset(t + 4 + n, 0xff, 4); /* no content */
	*len = 4 + n + 4;
	return (char *)t;
}

static void
test_record(void **state)
{
	struct item it;
	struct buf b;

	(void)state;
	sample(&it);
	buf_init(&b);
	rows_put_item(&b, &it, "fr", NULL, NULL);
	assert_true(rows_valid(b.data, b.len, 1));
	assert_false(rows_valid(b.data, b.len, 2));
	assert_false(rows_valid(b.data, b.len - 1, 1));
	/* A value's length past the end, as a damaged disk leaves it. */
	b.data[0] = 0x40;
	assert_false(rows_valid(b.data, b.len, 1));
	buf_clear(&b);

	/* A title that is not UTF-8, which PostgreSQL would refuse with
	 * the whole statement, is NULL: a length of -1 after the guid's
	 * and the link's values. */
	it.title = "Acme \xff\xfe ferme";
	rows_put_item(&b, &it, "fr", NULL, NULL);
	assert_true(rows_valid(b.data, b.len, 1));
	size_t at = (4 + strlen(it.id)) + (4 + strlen(it.link));
	assert_memory_equal(b.data + at, "\xff\xff\xff\xff", 4);
	buf_clear(&b);
}

static void
test_earlier_versions(void **state)
{
	struct item it;
	struct buf b;
	char *rows, *texts;
	size_t len = 0, tlen;

	(void)state;
	sample(&it);
	buf_init(&b);
	rows_put_item(&b, &it, "fr", NULL, NULL);

	/* Version 1: the texts in the JSON. */
	rows = rows_from_json(sample_json, NULL, 0, 1, &len);
	assert_non_null(rows);
	assert_int_equal(len, b.len);
	assert_memory_equal(rows, b.data, b.len);
	free(rows);

	/* Version 2: the texts beside it. */
	texts = sample_texts(&tlen);
	rows = rows_from_json(sample_json, texts, tlen, 1, &len);
	assert_non_null(rows);
	assert_int_equal(len, b.len);
	assert_memory_equal(rows, b.data, b.len);
	free(rows);

	/* Not its count, texts cut short or left over, not JSON. */
	assert_null(rows_from_json(sample_json, NULL, 0, 2, &len));
	assert_null(rows_from_json(sample_json, texts, tlen - 1, 1, &len));
	assert_null(rows_from_json("[]", texts, tlen, 0, &len));
	assert_null(rows_from_json("{\"guid\":1}", NULL, 0, 1, &len));
	assert_null(rows_from_json("[{\"guid\":1}]", NULL, 0, 1, &len));
	free(texts);
	buf_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_earlier_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
