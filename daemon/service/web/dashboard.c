/*
 * dashboard.c - the dashboard's HTTP side (see dashboard.h): routing,
 * sessions, sign-in, CSRF tokens and the headers every answer carries.
 *
 * A session is a PostgreSQL connection opened with the user's own role
 * and password: it is the proof of who they are and the limit of what
 * they may do. The browser holds only a random id, signed with a key that
 * lives as long as the process (sessions end with it, as their
 * connections do). Each session's connection is used by the worker
 * thread alone; the loop only hands it jobs and frees it when none holds
 * it.
 */
#include "service/web/dashboard.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/time.h>

#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/dash/dash.h"
#include "service/web/listen.h"
#include "service/web/pages.h"
#include "service/worker.h"

#define SESSIONS_MAX 256
#define SESSION_IDLE_MS (8 * 3600 * 1000LL)
#define FAILURES_MAX 64
#define COOKIE "vigie_session"

struct session {
	char id[65];
	char csrf[65];
	char *user; /* NULL for the local user */
	int editor;
	PGconn *conn; /* the worker's */
	int64_t seen_ms;
	int jobs; /* queued or running with it */
	int ended; /* signed out: freed when jobs reaches 0 */
	struct session *next;
};

/* Failed sign-ins by role: each doubles the wait before the next answer,
 * up to FAIL_MAX_MS, forgotten after FAIL_FORGET_MS. */
#define FAIL_BASE_MS 500
#define FAIL_MAX_MS 16000
#define FAIL_FORGET_MS (15 * 60 * 1000LL)
struct failure {
	char user[64];
	int count;
	int64_t last_ms;
};

struct dashboard {
	struct event_base *base;
	struct evhttp *http;
	struct worker *worker;
	char *conninfo;
	char *tz;
	int en, logins, secure;
	unsigned char key[32];
	struct session *sessions;
	size_t nsessions;
	struct session local; /* without logins */
	struct failure failures[FAILURES_MAX];
};

struct job {
	struct dashboard *d;
	struct evhttp_request *req; /* NULL once its client is gone */
	struct session *s; /* NULL for a sign-in */
	/* Copied on the loop: a reload may replace the dashboard's own
	 * while the worker runs the job. */
	char *conninfo, *tz;
	struct dash_ctx ctx;
	struct evkeyvalq params;
	char *path, *self, *query;
	int post;
	/* a sign-in */
	char *user, *password;
	PGconn *conn;
	int editor;
	struct page_resp resp;
};

/* --- tokens --- */

static void
hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
random_hex(char out[65])
{
	unsigned char r[32];

	if (RAND_bytes(r, sizeof r) != 1)
		return -1;
	hex(out, r, sizeof r);
	return 0;
}

/* HMAC-SHA256 of what under the process's key, as hex. */
static void
sign(const struct dashboard *d, const char *what, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	HMAC(EVP_sha256(), d->key, sizeof d->key, (const unsigned char *)what,
	    strlen(what), mac, &n);
	hex(out, mac, n > 32 ? 32 : n);
}

static int
same(const char *a, const char *b)
{
	size_t n = strlen(a);

	return b != NULL && strlen(b) == n && CRYPTO_memcmp(a, b, n) == 0;
}

/* The sign-in form's token: the form is the only one without a session,
 * so its token is the key's signature of a fixed text. */
static void
login_token(const struct dashboard *d, char out[65])
{
	sign(d, "vigie sign-in", out);
}

/* --- sessions --- */

static void
session_free(struct session *s)
{
	if (s->conn != NULL)
		PQfinish(s->conn);
	free(s->user);
	free(s);
}

static void
session_unlink(struct dashboard *d, struct session *s)
{
	for (struct session **p = &d->sessions; *p != NULL; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			d->nsessions--;
			return;
		}
}

static void
session_end(struct dashboard *d, struct session *s)
{
	session_unlink(d, s);
	s->ended = 1;
	if (s->jobs == 0)
		session_free(s);
}

static void
sessions_expire(struct dashboard *d, int64_t now)
{
	struct session *s = d->sessions, *next;

	for (; s != NULL; s = next) {
		next = s->next;
		if (now - s->seen_ms > SESSION_IDLE_MS)
			session_end(d, s);
	}
}

/* The session the request's cookie names, if its signature holds. */
static struct session *
session_find(struct dashboard *d, struct evhttp_request *req)
{
	const char *cookie =
	    evhttp_find_header(evhttp_request_get_input_headers(req), "Cookie");
	const char *p;
	char id[65], sig[65], want[65];

	if (cookie == NULL)
		return NULL;
	for (p = cookie; (p = strstr(p, COOKIE "=")) != NULL; p++) {
		if (p != cookie && p[-1] != ' ' && p[-1] != ';')
			continue;
		if (sscanf(p + sizeof COOKIE, "%64[0-9a-f].%64[0-9a-f]", id,
		        sig) != 2)
			return NULL;
		sign(d, id, want);
		if (!same(want, sig))
			return NULL;
		for (struct session *s = d->sessions; s != NULL; s = s->next)
			if (same(s->id, id))
				return s;
		return NULL;
	}
	return NULL;
}

/* --- failures --- */

static struct failure *
failure_of(struct dashboard *d, const char *user, int64_t now)
{
	struct failure *oldest = &d->failures[0];

	for (size_t i = 0; i < FAILURES_MAX; i++) {
		struct failure *f = &d->failures[i];

		if (f->count > 0 && now - f->last_ms > FAIL_FORGET_MS)
			f->count = 0;
		if (f->count > 0 && strncmp(f->user, user, sizeof f->user) == 0)
			return f;
		if (f->count == 0 || f->last_ms < oldest->last_ms)
			oldest = f;
	}
	memset(oldest, 0, sizeof *oldest);
	snprintf(oldest->user, sizeof oldest->user, "%s", user);
	return oldest;
}

/* --- answers --- */

static void
add_headers(struct dashboard *d, struct evhttp_request *req, const char *type,
    int cache)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	(void)d;
	evhttp_add_header(h, "Content-Type", type);
	/* Scripts and styles from the dashboard's own files only: a title
	 * that slipped an element past the escaping could still run
	 * nothing. */
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; "
	    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	/* The dashboard's addresses (a filter's words) stay off the sites
	 * its links lead to. */
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(
	    h, "Cache-Control", cache ? "max-age=3600" : "no-store");
}

static void
reply(struct dashboard *d, struct evhttp_request *req, int status,
    const char *type, const char *body, size_t len)
{
	struct evbuffer *out = evbuffer_new();
	static const struct {
		int code;
		const char *reason;
	} reasons[] = { { 200, "OK" }, { 303, "See Other" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 503, "Service Unavailable" } };
	const char *reason = "Error";

	for (size_t i = 0; i < ARRAY_LEN(reasons); i++)
		if (reasons[i].code == status)
			reason = reasons[i].reason;
	add_headers(d, req, type, 0);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		evbuffer_add(out, body, len);
	evhttp_send_reply(req, status, reason, out);
	evbuffer_free(out);
}

static void
redirect(struct dashboard *d, struct evhttp_request *req, const char *to)
{
	evhttp_add_header(
	    evhttp_request_get_output_headers(req), "Location", to);
	reply(d, req, 303, "text/plain; charset=utf-8", "", 0);
}

static void
ctx_of(const struct dashboard *d, const struct session *s, struct dash_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->en = d->en;
	ctx->logins = d->logins;
	if (s != NULL) {
		ctx->user = s->user;
		ctx->csrf = s->user != NULL ? s->csrf : NULL;
		ctx->editor = s->editor;
	}
}

static void
error_page(struct dashboard *d, struct evhttp_request *req,
    const struct session *s, int status, struct dash_text text)
{
	struct dash_ctx ctx;
	struct buf b;

	ctx_of(d, s, &ctx);
	buf_init(&b);
	dash_error_page(&b, &ctx, text);
	reply(d, req, status, "text/html; charset=utf-8", b.data, b.len);
	buf_clear(&b);
}

static void
login_page(
    struct dashboard *d, struct evhttp_request *req, int status, int failed)
{
	struct dash_ctx ctx;
	struct buf b;
	char token[65];

	ctx_of(d, NULL, &ctx);
	login_token(d, token);
	buf_init(&b);
	dash_login_page(&b, &ctx, token, failed);
	reply(d, req, status, "text/html; charset=utf-8", b.data, b.len);
	buf_clear(&b);
}

static int
serve_static(struct dashboard *d, struct evhttp_request *req, const char *path)
{
	static const struct {
		const char *path, *type, *body;
	} files[] = {
		{ "/static/dash.css", "text/css; charset=utf-8", dash_css },
		{ "/static/dash.js", "text/javascript; charset=utf-8",
		    dash_js },
		{ "/static/icon.svg", "image/svg+xml", dash_icon },
		{ "/favicon.ico", "image/svg+xml", dash_icon },
	};
	struct evbuffer *out;

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		if (strcmp(path, files[i].path) != 0)
			continue;
		out = evbuffer_new();
		add_headers(d, req, files[i].type, 1);
		evbuffer_add(out, files[i].body, strlen(files[i].body));
		evhttp_send_reply(req, 200, "OK", out);
		evbuffer_free(out);
		return 1;
	}
	return 0;
}

/* --- jobs --- */

static void
on_client_gone(struct evhttp_connection *conn, void *arg)
{
	struct job *j = arg;

	(void)conn;
	j->req = NULL;
}

static struct job *
job_new(struct dashboard *d, struct evhttp_request *req, struct session *s)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->d = d;
	j->req = req;
	j->s = s;
	j->conninfo = xstrdup(d->conninfo);
	j->tz = xstrdup(d->tz);
	ctx_of(d, s, &j->ctx);
	TAILQ_INIT(&j->params);
	if (s != NULL)
		s->jobs++;
	evhttp_connection_set_closecb(
	    evhttp_request_get_connection(req), on_client_gone, j);
	return j;
}

/* The request, no longer watched for its client leaving: to be answered
 * now (evhttp frees it once the answer is written), or NULL when the
 * client has gone. */
static struct evhttp_request *
job_detach(struct job *j)
{
	struct evhttp_request *req = j->req;

	if (req != NULL)
		evhttp_connection_set_closecb(
		    evhttp_request_get_connection(req), NULL, NULL);
	j->req = NULL;
	return req;
}

static void
job_free(struct job *j)
{
	job_detach(j);
	if (j->s != NULL && --j->s->jobs == 0 && j->s->ended)
		session_free(j->s);
	evhttp_clear_headers(&j->params);
	free(j->path);
	free(j->self);
	free(j->query);
	free(j->conninfo);
	free(j->tz);
	free(j->user);
	if (j->password != NULL) {
		OPENSSL_cleanse(j->password, strlen(j->password));
		free(j->password);
	}
	if (j->conn != NULL)
		PQfinish(j->conn);
	page_resp_clear(&j->resp);
	free(j);
}

/* What every connection of the dashboard is set to: its name in
 * pg_stat_activity, a bound on any query, the page's time zone, and for
 * the local user no writing at all. */
static int
conn_setup(PGconn *c, const char *tz, int read_only)
{
	const char *p[1] = { tz };
	PGresult *res;
	int ok;

	res = PQexec(c,
	    read_only ? "SET application_name = 'vigie dashboard';"
	                "SET statement_timeout = '20s';"
	                "SET default_transaction_read_only = on"
	              : "SET application_name = 'vigie dashboard';"
	                "SET statement_timeout = '20s'");
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	res = PQexecParams(c, "SELECT set_config('TimeZone', $1, false)", 1,
	    NULL, p, NULL, NULL, 0);
	ok = ok && PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

/* Connects as the user, or as the configuration says for the local
 * user: the configured conninfo, with user and password over it. */
static PGconn *
connect_as(const char *conninfo, const char *user, const char *password)
{
	const char *keys[4], *values[4];
	int n = 0;

	if (conninfo[0] != '\0') {
		keys[n] = "dbname";
		values[n++] = conninfo;
	}
	if (user != NULL) {
		keys[n] = "user";
		values[n++] = user;
		keys[n] = "password";
		values[n++] = password;
	}
	keys[n] = NULL;
	values[n] = NULL;
	return PQconnectdbParams(keys, values, 1);
}

static void
run_page(void *arg)
{
	struct job *j = arg;
	struct session *s = j->s;
	struct page_req pr = { .path = j->path,
		.self = j->self,
		.query = j->query,
		.params = &j->params,
		.post = j->post,
		.ctx = j->ctx };

	pr.ctx.self = j->self;
	if (s->conn != NULL && PQstatus(s->conn) != CONNECTION_OK) {
		/* The server restarted or dropped us. A signed-in user's
		 * connection reconnects with what libpq kept of it, and is set
		 * up again; the local user's is made anew below. */
		if (s->user != NULL) {
			PQreset(s->conn);
			if (PQstatus(s->conn) == CONNECTION_OK)
				conn_setup(s->conn, j->tz, 0);
		} else {
			PQfinish(s->conn);
			s->conn = NULL;
		}
	}
	if (s->conn == NULL && s->user == NULL) {
		s->conn = connect_as(j->conninfo, NULL, NULL);
		if (PQstatus(s->conn) != CONNECTION_OK ||
		    conn_setup(s->conn, j->tz, 1) != 0) {
			PQfinish(s->conn);
			s->conn = NULL;
		}
	}
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
		j->resp.status = 503;
		dash_error_page(&j->resp.body, &pr.ctx,
		    (struct dash_text){ "La base de donn\xc3\xa9"
		                        "es est injoignable.",
		        "The database cannot be reached." });
		j->resp.type = "text/html; charset=utf-8";
		return;
	}
	pages_serve(s->conn, &pr, &j->resp);
}

static void
done_page(void *arg, int cancelled)
{
	struct job *j = arg;
	struct evhttp_request *req = job_detach(j);

	if (req != NULL && cancelled) {
		error_page(j->d, req, j->s, 503,
		    (struct dash_text){
		        "Arr\xc3\xaat en cours.", "Shutting down." });
	} else if (req != NULL && j->resp.location != NULL) {
		redirect(j->d, req, j->resp.location);
	} else if (req != NULL) {
		if (j->resp.filename != NULL) {
			char *disp = xasprintf(
			    "attachment; filename=\"%s\"", j->resp.filename);

			evhttp_add_header(
			    evhttp_request_get_output_headers(req),
			    "Content-Disposition", disp);
			free(disp);
		}
		reply(j->d, req, j->resp.status, j->resp.type,
		    j->resp.body.data ? j->resp.body.data : "",
		    j->resp.body.len);
	}
	job_free(j);
}

static void
run_login(void *arg)
{
	struct job *j = arg;

	j->conn = connect_as(j->conninfo, j->user, j->password);
	/* A server that let the role in without asking its password (trust
	 * or peer authentication) proves nothing about who typed it. */
	if (PQstatus(j->conn) != CONNECTION_OK ||
	    !PQconnectionUsedPassword(j->conn) ||
	    conn_setup(j->conn, j->tz, 0) != 0 ||
	    (j->editor = pages_is_editor(j->conn)) < 0) {
		PQfinish(j->conn);
		j->conn = NULL;
	}
}

static void
on_refuse(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	struct evhttp_request *req = job_detach(j);

	(void)fd;
	(void)what;
	if (req != NULL)
		login_page(j->d, req, 401, 1);
	job_free(j);
}

static void
done_login(void *arg, int cancelled)
{
	struct job *j = arg;
	struct dashboard *d = j->d;
	int64_t now = now_real_ms();
	struct session *s;
	char sig[65], *cookie;
	struct failure *f;
	struct evhttp_request *req;

	if (j->req == NULL || cancelled) {
		job_free(j);
		return;
	}
	if (j->conn == NULL) {
		struct timeval tv;
		int64_t wait;

		f = failure_of(d, j->user, now);
		f->count++;
		f->last_ms = now;
		wait = FAIL_BASE_MS << (f->count > 6 ? 5 : f->count - 1);
		if (wait > FAIL_MAX_MS)
			wait = FAIL_MAX_MS;
		log_info("dashboard: sign-in refused for a role (%d in a row)",
		    f->count);
		tv.tv_sec = (time_t)(wait / 1000);
		tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
		/* The wait holds the answer, not the loop nor the worker. */
		event_base_once(d->base, -1, EV_TIMEOUT, on_refuse, j, &tv);
		return;
	}
	req = job_detach(j);
	failure_of(d, j->user, now)->count = 0;
	sessions_expire(d, now);
	if (d->nsessions >= SESSIONS_MAX) {
		error_page(d, req, NULL, 503,
		    (struct dash_text){ "Trop de sessions ouvertes.",
		        "Too many sessions open." });
		job_free(j);
		return;
	}
	s = xcalloc(1, sizeof *s);
	if (random_hex(s->id) != 0 || random_hex(s->csrf) != 0) {
		free(s);
		error_page(d, req, NULL, 503,
		    (struct dash_text){ "Pas d'al\xc3\xa9"
		                        "a disponible.",
		        "No randomness available." });
		job_free(j);
		return;
	}
	s->user = j->user;
	j->user = NULL;
	s->conn = j->conn;
	j->conn = NULL;
	s->editor = j->editor;
	s->seen_ms = now;
	s->next = d->sessions;
	d->sessions = s;
	d->nsessions++;
	sign(d, s->id, sig);
	cookie = xasprintf(COOKIE "=%s.%s; Path=/; HttpOnly; "
	                          "SameSite=Strict%s",
	    s->id, sig, d->secure ? "; Secure" : "");
	evhttp_add_header(
	    evhttp_request_get_output_headers(req), "Set-Cookie", cookie);
	free(cookie);
	log_info(
	    "dashboard: %s signed in%s", s->user, s->editor ? " (editor)" : "");
	redirect(d, req, "/");
	job_free(j);
}

/* --- requests --- */

/* A form's fields, from a body of at most the listener's limit. */
static int
read_form(struct evhttp_request *req, struct evkeyvalq *out)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	char *body = xmalloc(n + 1);
	int rc;

	evbuffer_copyout(in, body, n);
	body[n] = '\0';
	rc = evhttp_parse_query_str(body, out);
	free(body);
	return rc;
}

static void
start_login(struct dashboard *d, struct evhttp_request *req)
{
	struct job *j = job_new(d, req, NULL);
	char token[65];
	const char *user, *password;

	login_token(d, token);
	if (read_form(req, &j->params) != 0 ||
	    !same(token, evhttp_find_header(&j->params, "csrf"))) {
		error_page(d, req, NULL, 403,
		    (struct dash_text){ "Formulaire p\xc3\xa9rim\xc3\xa9 : "
		                        "rechargez la page.",
		        "Stale form: reload the page." });
		job_free(j);
		return;
	}
	user = evhttp_find_header(&j->params, "user");
	password = evhttp_find_header(&j->params, "password");
	if (user == NULL || user[0] == '\0' || strlen(user) > 63 ||
	    password == NULL || password[0] == '\0') {
		login_page(d, req, 401, 1);
		job_free(j);
		return;
	}
	j->user = xstrdup(user);
	j->password = xstrdup(password);
	evhttp_clear_headers(&j->params);
	worker_submit(d->worker, run_login, done_login, j);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct dashboard *d = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	const char *query = evhttp_uri_get_query(uri);
	int post = evhttp_request_get_command(req) == EVHTTP_REQ_POST;
	struct session *s;
	struct job *j;

	if (path == NULL || path[0] == '\0')
		path = "/";
	if (!post && serve_static(d, req, path))
		return;
	if (!d->logins) {
		s = &d->local;
	} else {
		sessions_expire(d, now_real_ms());
		s = session_find(d, req);
		if (strcmp(path, "/login") == 0) {
			if (post)
				start_login(d, req);
			else if (s != NULL)
				redirect(d, req, "/");
			else
				login_page(d, req, 200, 0);
			return;
		}
		if (s == NULL) {
			if (post)
				error_page(d, req, NULL, 403,
				    (struct dash_text){ "Session expir\xc3\xa9"
				                        "e.",
				        "Session expired." });
			else
				redirect(d, req, "/login");
			return;
		}
		s->seen_ms = now_real_ms();
	}
	j = job_new(d, req, s);
	j->post = post;
	if (post &&
	    (read_form(req, &j->params) != 0 || s->user == NULL ||
	        !same(s->csrf, evhttp_find_header(&j->params, "csrf")))) {
		/* The local user writes nothing; anyone else needs the
		 * token of their own session's pages. */
		error_page(d, req, s, 403,
		    (struct dash_text){ "Formulaire refus\xc3\xa9 (jeton "
		                        "absent ou p\xc3\xa9rim\xc3\xa9).",
		        "Form refused (token missing or stale)." });
		job_free(j);
		return;
	}
	if (post && strcmp(path, "/logout") == 0) {
		struct evkeyvalq *h = evhttp_request_get_output_headers(req);

		log_info("dashboard: %s signed out", s->user);
		evhttp_add_header(h, "Set-Cookie",
		    COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
		job_free(j);
		session_end(d, s);
		redirect(d, req, "/login");
		return;
	}
	if (!post && query != NULL &&
	    evhttp_parse_query_str(query, &j->params) != 0) {
		error_page(d, req, s, 400,
		    (struct dash_text){
		        "Adresse illisible.", "Unreadable address." });
		job_free(j);
		return;
	}
	j->path = xstrdup(path);
	j->query = xstrdup(query != NULL ? query : "");
	j->self =
	    query != NULL ? xasprintf("%s?%s", path, query) : xstrdup(path);
	worker_submit(d->worker, run_page, done_page, j);
}

void
dashboard_set_conf(struct dashboard *d, const struct conf *c)
{
	free(d->tz);
	d->tz = c->dashboard.tz != NULL ? xstrdup(c->dashboard.tz)
	                                : conf_tz_default();
	free(d->conninfo);
	d->conninfo = xstrdup(c->conninfo != NULL ? c->conninfo : "");
	d->en =
	    c->dashboard.lang != NULL && strcmp(c->dashboard.lang, "en") == 0;
	d->secure = c->dashboard.secure;
}

struct dashboard *
dashboard_new(struct event_base *base, struct evhttp *http, const char *listen,
    const struct conf *c, char *err, size_t errlen)
{
	struct dashboard *d;

	if (!c->dashboard.logins && !http_listen_is_loopback(listen)) {
		snprintf(err, errlen,
		    "%s: the dashboard on %s, not a loopback address, needs "
		    "[dashboard] logins = yes",
		    c->path, listen);
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	if (RAND_bytes(d->key, sizeof d->key) != 1) {
		snprintf(err, errlen, "dashboard: no randomness for its key");
		free(d);
		return NULL;
	}
	d->worker = worker_new(base);
	if (d->worker == NULL) {
		snprintf(err, errlen, "dashboard: cannot start its thread");
		free(d);
		return NULL;
	}
	d->base = base;
	d->http = http;
	d->logins = c->dashboard.logins;
	dashboard_set_conf(d, c);
	evhttp_set_gencb(http, on_request, d);
	return d;
}

void
dashboard_free(struct dashboard *d)
{
	if (d == NULL)
		return;
	evhttp_set_gencb(d->http, NULL, NULL);
	/* Cancels the queued jobs, whose sessions they free once done. */
	worker_free(d->worker);
	while (d->sessions != NULL)
		session_end(d, d->sessions);
	if (d->local.conn != NULL)
		PQfinish(d->local.conn);
	OPENSSL_cleanse(d->key, sizeof d->key);
	free(d->tz);
	free(d->conninfo);
	free(d);
}
