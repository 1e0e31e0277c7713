/*
 * cmd_parse.c - "vigie parse": the items of feed documents as JSON lines,
 * for checking what vigie makes of a feed without a database. Many files
 * are read in one process (one start-up for a whole corpus); each line
 * then names its file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/read/date.h"
#include "core/read/feed.h"

#define PARSE_MAX_SIZE ((size_t)64 << 20)

static int
usage(void)
{
	log_plain("usage: vigie parse [--base URL] FILE...");
	return 2;
}

/* Reads all of f up to PARSE_MAX_SIZE; -1 with errno set, or -2 when
 * the document is larger. */
static int
slurp(FILE *f, struct buf *b)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len + n > PARSE_MAX_SIZE)
			return -2;
		buf_append(b, chunk, n);
	}
	return ferror(f) ? -1 : 0;
}

/* A JSON string as jansson writes one (UTF-8 kept, quotes, backslashes
 * and control characters escaped), or null where there is no value or
 * it is not UTF-8. Written directly: building a jansson object per item
 * cost more than parsing the feed. */
static void
put_string(const char *s)
{
	if (s == NULL || !utf8_valid(s, strlen(s))) {
		fputs("null", stdout);
		return;
	}
	static const char special[] =
	    "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\t\n"
	    "\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15"
	    "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";
	putchar('"');
	for (const char *run = s;; s++) {
		s += strcspn(s, special);
		unsigned char ch = (unsigned char)*s;
		fwrite(run, 1, (size_t)(s - run), stdout);
		if (ch == '\0')
			break;
		run = s + 1;
		switch (ch) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default: /* XML and the folding drop the others: never seen */
			printf("\\u%04X", ch);
		}
	}
	putchar('"');
}

static void
put_date(int64_t t)
{
	char s[DATE_RFC3339_LEN];

	if (t == DATE_NONE) {
		fputs("null", stdout);
		return;
	}
	date_format_rfc3339(t, s);
	put_string(s);
}

static void
put_key(const char *key, const char *value)
{
	printf(",\"%s\":", key);
	put_string(value);
}

/* file is NULL when a single document is read: its lines stay as they
 * always were. */
static void
print_item(const struct item *it, const char *file)
{
	if (file != NULL) {
		/* A path is bytes: shown readable rather than as null. */
		char *shown = utf8_repair(file, strlen(file));
		fputs("{\"file\":", stdout);
		put_string(shown);
		free(shown);
		put_key("id", it->id);
	} else {
		fputs("{\"id\":", stdout);
		put_string(it->id);
	}
	put_key("link", it->link);
	put_key("title", it->title);
	put_key("author", it->author);
	fputs(",\"published\":", stdout);
	put_date(it->published);
	fputs(",\"updated\":", stdout);
	put_date(it->updated);
	put_key("summary", it->summary);
	put_key("content", it->content);
	put_key("lang", it->lang);
	fputs("}\n", stdout);
}

/* Prints the items of the document at path ("-": stdin); 0, or 1 after
 * saying why it could not be read. */
static int
parse_one(const char *path, const char *base, const char *label)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		log_user("%s: %s", path, strerror(errno));
		return 1;
	}
	struct buf b;
	buf_init(&b);
	int r = slurp(f, &b);
	int saved = errno;
	if (f != stdin)
		fclose(f);
	if (r < 0) {
		if (r == -2)
			log_user("%s: larger than %zu MiB", path,
			    PARSE_MAX_SIZE >> 20);
		else
			log_user("%s: %s", path, strerror(saved));
		buf_clear(&b);
		return 1;
	}

	struct feed_input in = {
		.data = b.data ? b.data : "", .len = b.len, .base_url = base
	};
	struct feed *feed;
	char err[256];
	if (feed_parse(&in, &feed, err, sizeof err) < 0) {
		log_user("%s: %s", path, err);
		buf_clear(&b);
		return 1;
	}
	buf_clear(&b);
	for (size_t i = 0; i < feed->nitems; i++)
		print_item(&feed->items[i], label);
	feed_free(feed);
	return 0;
}

/* Every file is read even when one fails: exit 1 if any did. */
int
cmd_parse(int argc, char **argv)
{
	const char *base = NULL;
	int nfiles = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strncmp(argv[i], "--base=", 7) == 0)
			base = argv[i] + 7;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage();
		else
			argv[++nfiles] = argv[i];
	}
	if (nfiles == 0)
		return usage();

	int status = 0;
	for (int i = 1; i <= nfiles; i++)
		status |= parse_one(argv[i], base, nfiles > 1 ? argv[i] : NULL);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_user("write error: %s", strerror(errno));
		return 1;
	}
	return status;
}
