/*
 * fuzz_date.c - libFuzzer target: the date parsers. The bytes up to the
 * first newline are a page's date format, the rest the text: feed dates
 * (RFC 822, RFC 3339), relative and local dates, dates by format.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "core/read/page_date.h"
#include "core/read/when.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t now = 1733400000;
	char *s = xstrndup((const char *)data, size);
	char *text = strchr(s, '\n');
	char out[DATE_RFC3339_LEN];
	int64_t t;

	if (text != NULL)
		*text++ = '\0';
	if ((t = date_parse(text != NULL ? text : s)) != DATE_NONE)
		date_format_rfc3339(t, out);
	(void)when_parse(text != NULL ? text : s, now);
	(void)page_date_parse(
	    text != NULL ? text : s, text != NULL ? s : NULL, now);
	free(s);
	return 0;
}
