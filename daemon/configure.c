/*
 * configure.c - a configuration and everything it names (see configure.h).
 */
#include "configure.h"

#include "analyze.h"
#include "conf.h"
#include "source.h"

struct conf *
configure(const char *path, struct analyzer **an, struct diag *diag)
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
