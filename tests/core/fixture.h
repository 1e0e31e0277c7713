/*
 * fixture.h - reading a fixture file whole, for the cmocka tests (include
 * it after <cmocka.h>). A missing or unreadable fixture fails the test.
 */
#ifndef VIGIE_TEST_FIXTURE_H
#define VIGIE_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

/* FIXTURES/dir/name, NUL-terminated; its length in *len if len is set. */
static char *
fixture_read(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	long n;
	char *s;

	snprintf(path, sizeof path, "%s/%s/%s", FIXTURES, dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return s;
}

#endif
