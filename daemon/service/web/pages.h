/*
 * pages.h - the dashboard's pages, each read from the analytics views on
 * a blocking connection (the dashboard's worker thread, never the event
 * loop) and written by core/dash. The queries are constant and take the
 * filters as parameters: nothing a user sends becomes SQL text.
 */
#ifndef VIGIE_PAGES_H
#define VIGIE_PAGES_H

#include <libpq-fe.h>

#include "core/base/util.h"
#include "core/dash/dash.h"

struct evkeyvalq;

struct page_req {
	const char *path; /* "/mentions" */
	const char *self; /* path and query, to come back to */
	const struct evkeyvalq *params; /* the query's, or a form's */
	int post;
	struct dash_ctx ctx;
};

struct page_resp {
	int status;
	const char *type; /* Content-Type */
	struct buf body;
	char *location; /* a redirection's, allocated */
	char *filename; /* a download's name */
};

void page_resp_clear(struct page_resp *);

/* Answers req from conn. */
void pages_serve(
    PGconn *conn, const struct page_req *req, struct page_resp *resp);

/* Whether the connection's role may correct and moderate (a member of
 * vigie_editor): 1, 0, or -1 when the database could not say. */
int pages_is_editor(PGconn *conn);

#endif
