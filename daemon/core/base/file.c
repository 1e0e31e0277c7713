/*
 * file.c - regular files only (see file.h).
 */
#include "core/base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/util.h"

int
file_read(const char *path, size_t max, struct buf *out, const char **why)
{
	FILE *f = file_open(path, why);
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (f == NULL)
		return -1;
	while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > max)
			rc = -2;
		else
			buf_append(out, chunk, n);
	}
	if (rc == 0 && ferror(f)) {
		*why = strerror(errno);
		rc = -1;
	}
	fclose(f);
	return rc;
}

/* A secret is a line: a longer file is not a secret file. */
#define SECRET_MAX 4096

char *
file_secret(const char *path, const char **why)
{
	FILE *f = file_open(path, why);
	char buf[SECRET_MAX];
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* A file ends with a newline by convention; it is not part of the
	 * secret. */
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

FILE *
file_open(const char *path, const char **why)
{
	struct stat st;
	FILE *fp;
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd == -1) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		*why = strerror(errno);
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return NULL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		*why = strerror(errno);
		close(fd);
		return NULL;
	}
	return fp;
}
