/*
 * spool.c - fetched results waiting for the database (see spool.h).
 *
 * Every entry, in memory or in its file, sits in one list in the order it
 * was put, which is the order it is written back: a source's results
 * reach the database in the order they were fetched, so its validators
 * and failure count end where the last fetch left them. An entry sent to
 * a file keeps only its place and size in memory; it is read back when
 * its turn comes. A file is written under a temporary name, synced and
 * renamed, so a crash leaves either the whole entry or none of it.
 */
#include "service/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/base/log.h"
#include "core/base/util.h"

/*
 * A file is its version's line, the fetch record's line, then a line for
 * each chunk: "N bytes LEN" (N items) then the LEN bytes of the store's
 * and a newline, in version 3; in versions 1 and 2, which are still
 * read (and written, for such an entry set aside), "N [JSON]", which
 * version 2 may follow with "texts LEN", LEN bytes and a newline; and
 * "end".
 */
#define MAGIC "vigie-spool 3"
#define MAGIC_V2 "vigie-spool 2"
#define MAGIC_V1 "vigie-spool 1"
/* Refusals before an entry is set aside: an error that lasts (a source
 * deleted meanwhile) must not hold every later entry back. */
#define TRIES_MAX 3

TAILQ_HEAD(entry_list, spool_entry);

struct spool {
	char *dir; /* NULL: memory only */
	int64_t max_bytes; /* files */
	size_t mem_cap; /* memory */
	struct entry_list entries; /* oldest first */
	uint64_t next_seq;
	size_t count, in_flight;
	int64_t bytes; /* all entries */
	int64_t disk_bytes; /* in files */
	size_t mem_bytes; /* held in memory and not in a file */
	int full;
};

struct spool_entry *
spool_entry_new(char *fetch, size_t nchunks)
{
	struct spool_entry *e = xcalloc(1, sizeof *e);

	e->fetch = fetch;
	e->nchunks = nchunks;
	e->chunks = xcalloc(nchunks ? nchunks : 1, sizeof *e->chunks);
	e->sizes = xcalloc(nchunks ? nchunks : 1, sizeof *e->sizes);
	e->blobs = xcalloc(nchunks ? nchunks : 1, sizeof *e->blobs);
	e->blob_lens = xcalloc(nchunks ? nchunks : 1, sizeof *e->blob_lens);
	return e;
}

/* Frees the chunks, keeping the entry's place. */
static void
entry_unload(struct spool_entry *e)
{
	for (size_t i = 0; i < e->nchunks; i++) {
		free(e->chunks[i]);
		free(e->blobs[i]);
	}
	free(e->chunks);
	free(e->sizes);
	free(e->blobs);
	free(e->blob_lens);
	free(e->fetch);
	e->chunks = NULL;
	e->sizes = NULL;
	e->blobs = NULL;
	e->blob_lens = NULL;
	e->fetch = NULL;
	e->nchunks = 0;
}

void
spool_entry_free(struct spool_entry *e)
{
	if (e == NULL)
		return;
	entry_unload(e);
	free(e);
}

static char *
entry_path(const struct spool *sp, uint64_t seq, const char *suffix)
{
	return xasprintf(
	    "%s/%016llx%s", sp->dir, (unsigned long long)seq, suffix);
}

/* Syncs the directory, so that a rename or an unlink survives a crash. */
static void
sync_dir(const struct spool *sp)
{
	int fd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
write_entry(int fd, const struct spool_entry *e)
{
	char num[32];

	if (write_all(fd, MAGIC "\n", sizeof MAGIC) == -1 ||
	    write_all(fd, e->fetch, strlen(e->fetch)) == -1 ||
	    write_all(fd, "\n", 1) == -1)
		return -1;
	for (size_t i = 0; i < e->nchunks; i++) {
		int n;

		if (e->chunks[i] != NULL) {
			n = snprintf(num, sizeof num, "%zu ", e->sizes[i]);
			if (write_all(fd, num, (size_t)n) == -1 ||
			    write_all(fd, e->chunks[i], strlen(e->chunks[i])) ==
			        -1 ||
			    write_all(fd, "\n", 1) == -1)
				return -1;
		}
		/* A JSON chunk may have no bytes beside it; a chunk of
		 * bytes alone is written even empty, or its line would be
		 * lost. */
		if (e->blobs[i] == NULL && e->chunks[i] != NULL)
			continue;
		if (e->chunks[i] != NULL)
			n = snprintf(
			    num, sizeof num, "texts %zu\n", e->blob_lens[i]);
		else
			n = snprintf(num, sizeof num, "%zu bytes %zu\n",
			    e->sizes[i], e->blob_lens[i]);
		if (write_all(fd, num, (size_t)n) == -1 ||
		    write_all(fd, e->blobs[i], e->blob_lens[i]) == -1 ||
		    write_all(fd, "\n", 1) == -1)
			return -1;
	}
	return write_all(fd, "end\n", 4);
}

/* e into its file, as suffix (".spool", or ".rejected" for one set
 * aside); 0 or -1, logged. */
static int
store_file(struct spool *sp, const struct spool_entry *e, const char *suffix)
{
	char *tmp = entry_path(sp, e->seq, ".tmp");
	char *path = entry_path(sp, e->seq, suffix);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd >= 0) {
		rc = write_entry(fd, e);
		if (rc == 0)
			rc = fsync(fd);
		if (close(fd) == -1)
			rc = -1;
		if (rc == 0)
			rc = rename(tmp, path);
	}
	if (rc == -1) {
		log_err("spool: cannot write %s: %s", path, strerror(errno));
		(void)unlink(tmp);
	} else {
		sync_dir(sp);
	}
	free(tmp);
	free(path);
	return rc;
}

static void
entry_remove(struct spool *sp, struct spool_entry *e)
{
	TAILQ_REMOVE(&sp->entries, e, link);
	sp->count--;
	sp->bytes -= (int64_t)e->bytes;
	if (e->on_disk)
		sp->disk_bytes -= (int64_t)e->bytes;
	else
		sp->mem_bytes -= e->bytes;
	if (e->in_flight)
		sp->in_flight--;
	spool_entry_free(e);
}

/* The bytes of e's last chunk: LEN, the number at num, then "\n", LEN
 * bytes and "\n" (LEN no more than the file holds); 0, or -1 for
 * anything else. */
static int
load_blob(FILE *f, const char *num, struct spool_entry *e)
{
	size_t last = e->nchunks - 1;
	unsigned long long k;
	struct stat st;
	char *end;

	k = strtoull(num, &end, 10);
	if (end == num || strcmp(end, "\n") != 0 || e->blobs[last] != NULL ||
	    fstat(fileno(f), &st) == -1 || k > (unsigned long long)st.st_size)
		return -1;
	e->blobs[last] = xmalloc(k ? (size_t)k : 1);
	e->blob_lens[last] = (size_t)k;
	return fread(e->blobs[last], 1, (size_t)k, f) == k && getc(f) == '\n'
	    ? 0
	    : -1;
}

/* A chunk of size items at the end of e, with its JSON or none. */
static void
chunk_add(struct spool_entry *e, size_t size, const char *json)
{
	size_t n = e->nchunks;

	e->chunks = xreallocarray(e->chunks, n + 1, sizeof *e->chunks);
	e->sizes = xreallocarray(e->sizes, n + 1, sizeof *e->sizes);
	e->blobs = xreallocarray(e->blobs, n + 1, sizeof *e->blobs);
	e->blob_lens = xreallocarray(e->blob_lens, n + 1, sizeof *e->blob_lens);
	e->chunks[n] = json != NULL ? xstrdup(json) : NULL;
	e->sizes[n] = size;
	e->blobs[n] = NULL;
	e->blob_lens[n] = 0;
	e->nchunks++;
}

/* Reads e's chunks back from its file; 0 or -1. */
static int
load_file(struct spool *sp, struct spool_entry *e)
{
	char *path = entry_path(sp, e->seq, ".spool");
	const char *why = NULL;
	FILE *f = file_open(path, &why);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;

	free(path);
	if (f == NULL)
		return -1;
	if ((n = getline(&line, &cap, f)) <= 0 ||
	    (strcmp(line, MAGIC "\n") != 0 &&
	        strcmp(line, MAGIC_V2 "\n") != 0 &&
	        strcmp(line, MAGIC_V1 "\n") != 0))
		goto out;
	if ((n = getline(&line, &cap, f)) <= 1 || line[0] != '{')
		goto out;
	line[n - 1] = '\0';
	e->fetch = xstrdup(line);
	while ((n = getline(&line, &cap, f)) > 0) {
		char *end;
		unsigned long long k;

		if (strcmp(line, "end\n") == 0) {
			rc = 0;
			break;
		}
		/* An earlier version's texts, after its chunk's JSON. */
		if (strncmp(line, "texts ", 6) == 0 && e->nchunks > 0 &&
		    e->chunks[e->nchunks - 1] != NULL) {
			if (load_blob(f, line + 6, e) == -1)
				break;
			continue;
		}
		k = strtoull(line, &end, 10);
		if (end == line || line[n - 1] != '\n')
			break;
		if (strncmp(end, " bytes ", 7) == 0) {
			chunk_add(e, (size_t)k, NULL);
			if (load_blob(f, end + 7, e) == -1)
				break;
			continue;
		}
		if (end[0] != ' ' || end[1] != '[')
			break;
		line[n - 1] = '\0';
		chunk_add(e, (size_t)k, end + 1);
	}
out:
	free(line);
	fclose(f);
	if (rc == -1 || e->nchunks == 0) {
		entry_unload(e);
		return -1;
	}
	return 0;
}

static void
set_aside(struct spool *sp, struct spool_entry *e, const char *why)
{
	char *from = sp->dir ? entry_path(sp, e->seq, ".spool") : NULL;
	char *to = sp->dir ? entry_path(sp, e->seq, ".rejected") : NULL;

	if (e->on_disk && rename(from, to) == 0) {
		log_err("spool: %s: set aside as %s", why, to);
		sync_dir(sp);
	} else if (!e->on_disk && sp->dir != NULL && e->fetch != NULL &&
	    store_file(sp, e, ".rejected") == 0) {
		log_err("spool: %s: set aside as %s", why, to);
	} else {
		log_err("spool: %s: dropped, nowhere to set it aside: %s", why,
		    e->fetch ? e->fetch : "(unreadable)");
	}
	free(from);
	free(to);
	entry_remove(sp, e);
}

static int
cmp_seq(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The files an earlier run left, in their order; partial ones (a crash
 * while writing) are removed. */
static int
scan(struct spool *sp, char *err, size_t errlen)
{
	DIR *d = opendir(sp->dir);
	struct dirent *de;
	uint64_t *seqs = NULL;
	size_t n = 0;

	if (d == NULL)
		return err_set(
		    err, errlen, "spool: %s: %s", sp->dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *end;
		unsigned long long seq = strtoull(de->d_name, &end, 16);

		if (end - de->d_name != 16)
			continue;
		if (strcmp(end, ".tmp") == 0) {
			char *p = entry_path(sp, seq, ".tmp");

			(void)unlink(p);
			free(p);
		} else if (strcmp(end, ".spool") == 0) {
			seqs = xreallocarray(seqs, n + 1, sizeof *seqs);
			seqs[n++] = seq;
		}
		/* .rejected and .bad keep their numbers out of reuse. */
		if (seq >= sp->next_seq && strcmp(end, ".tmp") != 0)
			sp->next_seq = seq + 1;
	}
	closedir(d);
	if (n > 1) /* qsort must not be handed NULL, even empty */
		qsort(seqs, n, sizeof *seqs, cmp_seq);
	for (size_t i = 0; i < n; i++) {
		struct spool_entry *e = xcalloc(1, sizeof *e);
		char *p = entry_path(sp, seqs[i], ".spool");
		struct stat st;

		e->seq = seqs[i];
		e->on_disk = 1;
		e->bytes = stat(p, &st) == 0 ? (size_t)st.st_size : 0;
		free(p);
		TAILQ_INSERT_TAIL(&sp->entries, e, link);
		sp->count++;
		sp->bytes += (int64_t)e->bytes;
		sp->disk_bytes += (int64_t)e->bytes;
	}
	free(seqs);
	if (n > 0)
		log_notice("spool: %zu results left by an earlier run in %s "
		           "(%lld bytes), to be stored",
		    n, sp->dir, (long long)sp->disk_bytes);
	return 0;
}

struct spool *
spool_open(const char *dir, int64_t max_bytes, size_t mem_bytes, char *err,
    size_t errlen)
{
	struct spool *sp = xcalloc(1, sizeof *sp);

	TAILQ_INIT(&sp->entries);
	sp->max_bytes = max_bytes;
	sp->mem_cap = mem_bytes;
	sp->next_seq = 1;
	if (dir != NULL) {
		sp->dir = xstrdup(dir);
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			err_set(
			    err, errlen, "spool: %s: %s", dir, strerror(errno));
			spool_free(sp);
			return NULL;
		}
		if (scan(sp, err, errlen) == -1) {
			spool_free(sp);
			return NULL;
		}
	}
	return sp;
}

void
spool_free(struct spool *sp)
{
	struct spool_entry *e;

	if (sp == NULL)
		return;
	while ((e = TAILQ_FIRST(&sp->entries)) != NULL) {
		TAILQ_REMOVE(&sp->entries, e, link);
		spool_entry_free(e);
	}
	free(sp->dir);
	free(sp);
}

static void
set_full(struct spool *sp, int full)
{
	if (full && !sp->full)
		log_err("spool full (%zu results, %lld bytes in memory and "
		        "files): polling pauses until the database takes them",
		    sp->count, (long long)sp->bytes);
	else if (!full && sp->full)
		log_notice("spool: room again, polling resumes");
	sp->full = full;
}

int
spool_put(struct spool *sp, struct spool_entry *e)
{
	e->bytes = strlen(e->fetch);
	for (size_t i = 0; i < e->nchunks; i++)
		e->bytes += (e->chunks[i] != NULL ? strlen(e->chunks[i]) : 0) +
		    e->blob_lens[i];
	e->seq = sp->next_seq;
	if (sp->mem_bytes + e->bytes <= sp->mem_cap) {
		sp->mem_bytes += e->bytes;
	} else if (sp->dir != NULL &&
	    sp->disk_bytes + (int64_t)e->bytes <= sp->max_bytes &&
	    store_file(sp, e, ".spool") == 0) {
		e->on_disk = 1;
		sp->disk_bytes += (int64_t)e->bytes;
		entry_unload(e);
	} else {
		set_full(sp, 1);
		return -1;
	}
	sp->next_seq++;
	TAILQ_INSERT_TAIL(&sp->entries, e, link);
	sp->count++;
	sp->bytes += (int64_t)e->bytes;
	set_full(sp, 0);
	return 0;
}

struct spool_entry *
spool_take(struct spool *sp)
{
	struct spool_entry *e, *next;

	for (e = TAILQ_FIRST(&sp->entries); e != NULL; e = next) {
		next = TAILQ_NEXT(e, link);
		if (e->in_flight)
			continue;
		if (e->fetch == NULL && load_file(sp, e) == -1) {
			char *from = entry_path(sp, e->seq, ".spool");
			char *to = entry_path(sp, e->seq, ".bad");

			log_err("spool: %s is unreadable: set aside as %s",
			    from, to);
			(void)rename(from, to);
			free(from);
			free(to);
			entry_remove(sp, e);
			continue;
		}
		e->in_flight = 1;
		sp->in_flight++;
		return e;
	}
	/* Taken whole: room again for what polling brings. */
	if (TAILQ_EMPTY(&sp->entries))
		set_full(sp, 0);
	return NULL;
}

void
spool_done(struct spool *sp, struct spool_entry *e, enum spool_outcome o)
{
	e->in_flight = 0;
	sp->in_flight--;
	switch (o) {
	case SPOOL_STORED:
		if (e->on_disk) {
			char *p = entry_path(sp, e->seq, ".spool");

			(void)unlink(p);
			free(p);
		}
		entry_remove(sp, e);
		break;
	case SPOOL_REFUSED:
		if (++e->tries >= TRIES_MAX) {
			set_aside(sp, e,
			    "the database refused a result "
			    "three times");
			break;
		}
		/* FALLTHROUGH */
	case SPOOL_AGAIN:
		/* Its file holds it: memory is for what has none. */
		if (e->on_disk)
			entry_unload(e);
		break;
	}
}

size_t
spool_count(const struct spool *sp)
{
	return sp->count;
}

int64_t
spool_bytes(const struct spool *sp)
{
	return sp->bytes;
}

size_t
spool_in_flight(const struct spool *sp)
{
	return sp->in_flight;
}

int
spool_full(const struct spool *sp)
{
	return sp->full;
}

const char *
spool_dir(const struct spool *sp)
{
	return sp->dir;
}

int
spool_flush(struct spool *sp)
{
	struct spool_entry *e;
	int rc = 0;

	if (sp->dir == NULL)
		return sp->mem_bytes > 0 ? -1 : 0;
	TAILQ_FOREACH(e, &sp->entries, link)
	{
		if (e->on_disk || e->fetch == NULL)
			continue;
		if (store_file(sp, e, ".spool") == -1) {
			rc = -1;
			continue;
		}
		e->on_disk = 1;
		sp->mem_bytes -= e->bytes;
		sp->disk_bytes += (int64_t)e->bytes;
	}
	return rc;
}
