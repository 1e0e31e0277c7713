/*
 * conf_open.c - a configuration and everything it names (see conf_open.h).
 */
#include "core/config/conf_open.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/judge/analyze.h"
#include "core/read/source.h"

struct conf *
conf_open(const char *path, struct analyzer **an, struct diag *diag)
{
	struct conf *conf = conf_load(path, diag);

	*an = NULL;
	if (conf == NULL)
		return NULL;
	if (sources_check(conf, diag) == -1 ||
	    (*an = analyzer_new(conf, diag)) == NULL) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

static void
check_private(const char *path, struct diag *diag)
{
	struct stat st;

	if (path == NULL)
		return;
	if (stat(path, &st) == -1) {
		diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	if (st.st_mode & S_IRWXO)
		diag_add(diag, path, 0,
		    "readable by others (mode %04o): it may hold secrets; "
		    "chmod o-rwx %s",
		    (unsigned)(st.st_mode & 07777), path);
}

int
conf_check_private(const struct conf *c, struct diag *diag)
{
	size_t before = diag->len;

	const char *checked[16];
	size_t nchecked = 0;

	check_private(c->path, diag);
	check_private(c->smtp.password_file, diag);
	for (size_t i = 0; i < c->nnotifies; i++)
		check_private(c->notifies[i].secret_file, diag);
	/* API tokens: each file once, however many sources read it (a
	 * watch's searches share [search]'s key). One missing is the poll's
	 * to say, at each request: it may be written later. */
	for (size_t i = 0; i < c->nsources; i++) {
		const char *t = c->sources[i].token_file;
		size_t k = 0;

		while (t != NULL && k < nchecked && strcmp(checked[k], t) != 0)
			k++;
		if (t == NULL || k < nchecked)
			continue;
		if (access(t, F_OK) == 0)
			check_private(t, diag);
		if (nchecked < ARRAY_LEN(checked))
			checked[nchecked++] = t;
	}
	return diag->len == before ? 0 : -1;
}
