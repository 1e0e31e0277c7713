/*
 * cmd_parse.c - "vigie parse": the items of feed documents as JSON lines,
 * for checking what vigie makes of a feed without a database. Many files
 * are read in one process (one start-up for a whole corpus); each line
 * then names its file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/base/json_out.h"
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

/* Reads all of fd into b (emptied first) up to PARSE_MAX_SIZE; -1 with
 * errno set, or -2 when the document is larger. Read in place, the room
 * made from the file's size when it has one. */
static int
slurp(int fd, struct buf *b)
{
	struct stat st;

	b->len = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size <= PARSE_MAX_SIZE)
		buf_reserve(b, (size_t)st.st_size);
	for (;;) {
		if (b->len + 1 >= b->cap)
			buf_reserve(b, 65536);
		size_t room = b->cap - b->len - 1;
		if (room > PARSE_MAX_SIZE + 1 - b->len)
			room = PARSE_MAX_SIZE + 1 - b->len;
		ssize_t n = read(fd, b->data + b->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		b->len += (size_t)n;
		if (b->len > PARSE_MAX_SIZE)
			return -2;
	}
	b->data[b->len] = '\0';
	return 0;
}

static void
put_date(struct buf *line, const char *key, int64_t t)
{
	char s[DATE_RFC3339_LEN];

	if (t != DATE_NONE)
		date_format_rfc3339(t, s);
	json_out_member(line, key, t != DATE_NONE ? s : NULL);
}

/* file is NULL when a single document is read: its lines stay as they
 * always were. Each line is built whole, then written with one call. */
static void
print_item(struct buf *line, const struct item *it, const char *file)
{
	line->len = 0;
	if (file != NULL) {
		json_out_member(line, "{\"file\":", file);
		json_out_member(line, ",\"id\":", it->id);
	} else
		json_out_member(line, "{\"id\":", it->id);
	json_out_member(line, ",\"link\":", it->link);
	json_out_member(line, ",\"title\":", it->title);
	json_out_member(line, ",\"author\":", it->author);
	put_date(line, ",\"published\":", it->published);
	put_date(line, ",\"updated\":", it->updated);
	json_out_member(line, ",\"summary\":", it->summary);
	json_out_member(line, ",\"content\":", it->content);
	json_out_member(line, ",\"lang\":", it->lang);
	buf_puts(line, "}\n");
	fwrite(line->data, 1, line->len, stdout);
}

/* Buffers kept from one file to the next: a corpus is read without
 * growing and freeing them again for each document. */
struct bufs {
	struct buf file;
	struct buf line;
};

/* Prints the items of the document at path ("-": stdin); 0, or 1 after
 * saying why it could not be read. */
static int
parse_one(
    const char *path, const char *base, const char *label, struct bufs *bufs)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
	if (fd < 0) {
		log_user("%s: %s", path, strerror(errno));
		return 1;
	}
	int r = slurp(fd, &bufs->file);
	int saved = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (r < 0) {
		if (r == -2)
			log_user("%s: larger than %zu MiB", path,
			    PARSE_MAX_SIZE >> 20);
		else
			log_user("%s: %s", path, strerror(saved));
		return 1;
	}

	struct feed_input in = {
		.data = bufs->file.data, .len = bufs->file.len, .base_url = base
	};
	struct feed *feed;
	char err[256];
	if (feed_parse(&in, &feed, err, sizeof err) < 0) {
		log_user("%s: %s", path, err);
		return 1;
	}
	/* Items were kept around a hostile part: said, not failed. */
	if (feed->skipped != NULL)
		log_user("%s: partly read: %s", path, feed->skipped);
	/* A path is bytes: shown readable rather than as null. */
	char *shown = label ? utf8_repair(label, strlen(label)) : NULL;
	for (size_t i = 0; i < feed->nitems; i++)
		print_item(&bufs->line, &feed->items[i], shown);
	free(shown);
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
	struct bufs bufs;
	buf_init(&bufs.file);
	buf_init(&bufs.line);
	for (int i = 1; i <= nfiles; i++)
		status |= parse_one(
		    argv[i], base, nfiles > 1 ? argv[i] : NULL, &bufs);
	buf_clear(&bufs.file);
	buf_clear(&bufs.line);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_user("write error: %s", strerror(errno));
		return 1;
	}
	return status;
}
