/*
 * test_spool.c - the spool and the roster on a real directory: results
 * come back in the order they were put, from memory and files alike and
 * across a reopen; the caps; a write that fails; a file cut short or
 * refused three times set aside; the roster's due sources and its file.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/base/util.h"
#include "service/roster.h"
#include "service/spool.h"

static char *
make_dir(void)
{
	char tmpl[] = "/tmp/vigie-test-spool-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xasprintf("%s/spool", tmpl);
}

static void
remove_dir(char *dir)
{
	char *cmd;

	*strrchr(dir, '/') = '\0';
	cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

/* A result whose fetch record names n, with two chunks. */
static struct spool_entry *
entry(int n)
{
	struct spool_entry *e =
	    spool_entry_new(xasprintf("{\"source\":%d}", n), 2);

	e->chunks[0] = xasprintf("[{\"guid\":\"a%d\"}]", n);
	e->chunks[1] = xstrdup("[]");
	e->sizes[0] = 1;
	e->sizes[1] = 0;
	return e;
}

/* The spool file of seq in dir, holding text, as a run left it. */
static void
write_file(const char *dir, unsigned seq, const char *text)
{
	char *path = xasprintf("%s/%016x.spool", dir, seq);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* Takes the oldest, checks it is n, and stores it. */
static void
take_stored(struct spool *sp, int n)
{
	struct spool_entry *e = spool_take(sp);
	char want[32];

	assert_non_null(e);
	snprintf(want, sizeof want, "{\"source\":%d}", n);
	assert_string_equal(e->fetch, want);
	assert_int_equal(e->nchunks, 2);
	assert_int_equal(e->sizes[0], 1);
	assert_string_equal(e->chunks[1], "[]");
	spool_done(sp, e, SPOOL_STORED);
}

static int
count_files(const char *dir, const char *suffix)
{
	char *cmd = xasprintf("ls '%s' | grep -c '%s$'", dir, suffix);
	FILE *p = popen(cmd, "r");
	int n = -1;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	free(cmd);
	return n;
}

static void
test_order_memory_then_files(void **state)
{
	char *dir = make_dir();
	char err[256] = "";
	/* Room in memory for two entries of 29 bytes. */
	struct spool *sp = spool_open(dir, 1 << 20, 60, err, sizeof err);

	(void)state;
	assert_non_null(sp);
	for (int i = 1; i <= 5; i++)
		assert_int_equal(spool_put(sp, entry(i)), 0);
	assert_int_equal(spool_count(sp), 5);
	assert_int_equal(count_files(dir, ".spool"), 3);
	/* The first one in flight comes back with SPOOL_AGAIN. */
	struct spool_entry *e = spool_take(sp);
	assert_string_equal(e->fetch, "{\"source\":1}");
	assert_int_equal(spool_in_flight(sp), 1);
	spool_done(sp, e, SPOOL_AGAIN);
	for (int i = 1; i <= 3; i++)
		take_stored(sp, i);
	assert_int_equal(count_files(dir, ".spool"), 2);
	spool_free(sp);

	/* Another run finds the files, in their order, and numbers after
	 * them. */
	sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	assert_non_null(sp);
	assert_int_equal(spool_count(sp), 2);
	assert_int_equal(spool_put(sp, entry(6)), 0);
	take_stored(sp, 4);
	take_stored(sp, 5);
	take_stored(sp, 6);
	assert_null(spool_take(sp));
	assert_int_equal(count_files(dir, ".spool"), 0);
	spool_free(sp);
	remove_dir(dir);
}

static void
test_flush_and_full(void **state)
{
	char *dir = make_dir();
	char err[256] = "";
	struct spool *sp = spool_open(dir, 80, 1 << 20, err, sizeof err);
	struct spool_entry *e;

	(void)state;
	assert_int_equal(spool_put(sp, entry(1)), 0);
	assert_int_equal(spool_put(sp, entry(2)), 0);
	assert_int_equal(count_files(dir, ".spool"), 0);
	/* A stop: memory to files, whatever the cap. */
	assert_int_equal(spool_flush(sp), 0);
	assert_int_equal(count_files(dir, ".spool"), 2);
	spool_free(sp);

	/* Files full (80 bytes) and no memory: refused, and said. */
	sp = spool_open(dir, 80, 0, err, sizeof err);
	assert_int_equal(spool_count(sp), 2);
	e = entry(3);
	assert_int_equal(spool_put(sp, e), -1);
	assert_true(spool_full(sp));
	spool_entry_free(e);
	take_stored(sp, 1);
	take_stored(sp, 2);
	assert_null(spool_take(sp));
	assert_false(spool_full(sp));
	spool_free(sp);

	/* Memory only: a flush cannot keep what waits. */
	sp = spool_open(NULL, 0, 1 << 20, err, sizeof err);
	assert_int_equal(spool_put(sp, entry(1)), 0);
	assert_int_equal(spool_flush(sp), -1);
	spool_free(sp);
	remove_dir(dir);
}

/* A disk that takes no more. A limit on the size of the files this
 * process writes stands in for it: the write fails the same way, short
 * of the whole entry. The result is refused, nothing half written stays,
 * and polling pauses (full); the caller still holds it, and once writes
 * pass again it goes in. */
static void
test_write_fails(void **state)
{
	char *dir = make_dir();
	char err[256] = "";
	struct spool *sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	struct spool_entry *e = entry(1);
	struct rlimit was, small;

	(void)state;
	assert_non_null(sp);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small = was;
	small.rlim_cur = 16; /* less than an entry */
	/* Else the signal ends the process instead of failing the write. */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int put = spool_put(sp, e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	assert_int_equal(put, -1);
	assert_true(spool_full(sp));
	assert_int_equal(spool_count(sp), 0);
	assert_int_equal(count_files(dir, ".tmp"), 0);
	assert_int_equal(count_files(dir, ".spool"), 0);

	assert_int_equal(spool_put(sp, e), 0);
	assert_false(spool_full(sp));
	assert_int_equal(count_files(dir, ".spool"), 1);
	take_stored(sp, 1);
	spool_free(sp);
	remove_dir(dir);
}

static void
test_set_aside(void **state)
{
	char *dir = make_dir();
	char err[256] = "";
	struct spool *sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	struct spool_entry *e;
	char *path;
	FILE *f;

	(void)state;
	for (int i = 1; i <= 3; i++)
		assert_int_equal(spool_put(sp, entry(i)), 0);
	/* The first refused three times goes aside; the others follow. */
	for (int i = 0; i < 3; i++) {
		e = spool_take(sp);
		assert_string_equal(e->fetch, "{\"source\":1}");
		spool_done(sp, e, SPOOL_REFUSED);
	}
	assert_int_equal(count_files(dir, ".rejected"), 1);
	assert_int_equal(spool_count(sp), 2);
	spool_free(sp);

	/* The second cut short (a disk that filled up, a hand): set aside
	 * as unreadable; a leftover temporary file is removed. */
	write_file(dir, 2, "vigie-spool 1\n{\"source\":2}\n1 [{\"gu");
	path = xasprintf("%s/%016x.tmp", dir, 9);
	f = fopen(path, "w");
	fclose(f);
	free(path);
	sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	assert_int_equal(count_files(dir, ".tmp"), 0);
	take_stored(sp, 3);
	assert_int_equal(count_files(dir, ".bad"), 1);
	assert_int_equal(spool_count(sp), 0);
	spool_free(sp);

	/* A directory that cannot be made. */
	assert_null(spool_open("/proc/vigie-spool", 1, 1, err, sizeof err));
	assert_non_null(strstr(err, "/proc/vigie-spool"));
	remove_dir(dir);
}

/* A chunk's bytes: any, newlines and NULs included, written to a file
 * and read back whole, beside a chunk of JSON; files of the earlier
 * versions, with JSON chunks and texts beside them or none, read as
 * they were; bytes longer than their file, set aside. */
static void
test_blobs(void **state)
{
	static const char bytes[] = "\0\0\0\x05a\nb\0c\nend\ntexts 9\n";
	char *dir = make_dir();
	char err[256] = "";
	struct spool *sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	struct spool_entry *e = entry(1);

	(void)state;
	free(e->chunks[0]);
	e->chunks[0] = NULL;
	e->blobs[0] = xmalloc(sizeof bytes);
	memcpy(e->blobs[0], bytes, sizeof bytes);
	e->blob_lens[0] = sizeof bytes;
	assert_int_equal(spool_put(sp, e), 0);
	assert_int_equal(count_files(dir, ".spool"), 1);
	spool_free(sp);

	write_file(dir, 2,
	    "vigie-spool 1\n{\"source\":2}\n1 [{\"guid\":\"a2\"}]\n"
	    "0 []\nend\n");
	write_file(dir, 3,
	    "vigie-spool 2\n{\"source\":3}\n1 [{\"guid\":\"a3\"}]\n"
	    "texts 3\nabc\n0 []\nend\n");
	write_file(dir, 4,
	    "vigie-spool 2\n{\"source\":4}\n1 [{\"guid\":\"a4\"}]\n"
	    "texts 1000\nabc\n0 []\nend\n");
	write_file(
	    dir, 5, "vigie-spool 3\n{\"source\":5}\n1 bytes 1000\nabc\nend\n");

	sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	e = spool_take(sp);
	assert_string_equal(e->fetch, "{\"source\":1}");
	assert_null(e->chunks[0]);
	assert_int_equal(e->sizes[0], 1);
	assert_int_equal(e->blob_lens[0], sizeof bytes);
	assert_memory_equal(e->blobs[0], bytes, sizeof bytes);
	assert_string_equal(e->chunks[1], "[]");
	assert_null(e->blobs[1]);
	spool_done(sp, e, SPOOL_STORED);
	e = spool_take(sp);
	assert_string_equal(e->fetch, "{\"source\":2}");
	assert_int_equal(e->nchunks, 2);
	assert_string_equal(e->chunks[0], "[{\"guid\":\"a2\"}]");
	assert_null(e->blobs[0]);
	assert_null(e->blobs[1]);
	spool_done(sp, e, SPOOL_STORED);
	e = spool_take(sp);
	assert_string_equal(e->fetch, "{\"source\":3}");
	assert_int_equal(e->nchunks, 2);
	assert_int_equal(e->blob_lens[0], 3);
	assert_memory_equal(e->blobs[0], "abc", 3);
	assert_null(e->blobs[1]);
	spool_done(sp, e, SPOOL_STORED);
	assert_null(spool_take(sp));
	assert_int_equal(count_files(dir, ".bad"), 2);
	spool_free(sp);
	remove_dir(dir);
}

/* A fetch of no items is one chunk of no records: written, its empty
 * bytes read back, not lost with its line. */
static void
test_empty_chunk(void **state)
{
	char *dir = make_dir();
	char err[256] = "";
	struct spool *sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	struct spool_entry *e = spool_entry_new(xstrdup("{\"source\":1}"), 1);

	(void)state;
	e->blobs[0] = xstrdup("");
	assert_int_equal(spool_put(sp, e), 0);
	spool_free(sp);

	sp = spool_open(dir, 1 << 20, 0, err, sizeof err);
	e = spool_take(sp);
	assert_non_null(e);
	assert_int_equal(e->nchunks, 1);
	assert_null(e->chunks[0]);
	assert_int_equal(e->sizes[0], 0);
	assert_non_null(e->blobs[0]);
	assert_int_equal(e->blob_lens[0], 0);
	spool_done(sp, e, SPOOL_STORED);
	assert_int_equal(count_files(dir, ".bad"), 0);
	spool_free(sp);
	remove_dir(dir);
}

static void
test_roster(void **state)
{
	struct roster *r = roster_new();
	struct roster_source *due[8], *s;
	char *dir = make_dir();
	char *path;
	char err[256] = "";

	(void)state;
	/* Enough to grow the table past its first size. */
	for (int i = 1; i <= 100; i++) {
		char name[16];

		snprintf(name, sizeof name, "s%d", i);
		s = roster_put(r, i * 7919LL, name, "https://example.org/");
		s->due_ms = i <= 3 ? 1000 - i : 5000;
	}
	assert_int_equal(roster_count(r), 100);
	roster_put(r, 7919, "renamed", "https://example.org/f");
	assert_int_equal(roster_count(r), 100);
	assert_string_equal(roster_get(r, 7919)->src.name, "renamed");
	assert_null(roster_get(r, 1));
	/* Due at 1000: s3, s2, renamed, oldest first; then none. */
	assert_int_equal(roster_due(r, 1000, due, 8), 3);
	assert_string_equal(due[0]->src.name, "s3");
	assert_string_equal(due[2]->src.name, "renamed");
	assert_int_equal(roster_due(r, 1000, due, 8), 0);
	roster_set(&roster_get(r, 7919)->src.etag, "\"v1\"");

	assert_int_equal(mkdir(dir, 0700), 0);
	path = xasprintf("%s/roster.json", dir);
	assert_int_equal(roster_save(r, path, err, sizeof err), 0);
	roster_free(r);
	r = roster_new();
	assert_int_equal(roster_load(r, path, err, sizeof err), 0);
	assert_int_equal(roster_count(r), 100);
	s = roster_get(r, 7919);
	assert_string_equal(s->src.etag, "\"v1\"");
	assert_string_equal(s->src.url, "https://example.org/f");
	assert_int_equal(s->due_ms, 999);
	assert_false(s->busy);
	roster_free(r);

	/* Not JSON: an error naming the file. */
	FILE *f = fopen(path, "w");
	fputs("{not json", f);
	fclose(f);
	r = roster_new();
	assert_int_equal(roster_load(r, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "roster.json"));
	roster_free(r);
	free(path);
	remove_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_memory_then_files),
		cmocka_unit_test(test_flush_and_full),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_set_aside),
		cmocka_unit_test(test_blobs),
		cmocka_unit_test(test_empty_chunk),
		cmocka_unit_test(test_roster),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
