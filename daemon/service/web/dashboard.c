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
#include <event2/bufferevent.h>
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
#include <sys/socket.h>
#include <sys/time.h>

#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/dash/dash.h"
#include "service/web/listen.h"
#include "service/web/pages.h"
#include "service/worker.h"

/* Each session holds a PostgreSQL connection: a few per role, and
 * few in all, so that the daemon's own are never refused
 * (max_connections). The least recently used goes first. */
#define SESSIONS_MAX 32
#define SESSIONS_PER_ROLE 4
#define SESSION_IDLE_MS (8 * 3600 * 1000LL)
/* Jobs queued or running: beyond, a request is answered 503 at once
 * rather than left to wait behind the others. */
#define JOBS_MAX 32
#define JOBS_PER_SESSION 4
#define THROTTLE_MAX 256
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

/*
 * Sign-ins, by role and by client address alike: one attempt at a time
 * for each, and after a failure none until a wait that doubles with each
 * failure in a row (FAIL_BASE_MS up to FAIL_MAX_MS); an attempt during
 * the wait is answered 429 without reaching the database, so that
 * guesses cannot be sent in parallel nor faster than the wait. A record
 * is forgotten FAIL_FORGET_MS after its last attempt; when every slot is
 * taken by a live one, sign-ins wait.
 */
#define FAIL_BASE_MS 500
#define FAIL_MAX_MS 16000
#define FAIL_FORGET_MS (15 * 60 * 1000LL)
struct throttle {
	char key[80]; /* "role:NAME" or "addr:ADDRESS" */
	int failures;
	int busy;
	int64_t until_ms, last_ms;
};

struct dashboard {
	struct evhttp *http;
	struct worker *worker;
	char *conninfo;
	char *replica; /* [database] replica: where reading roles read */
	char *tz;
	int en, logins, secure;
	unsigned char key[32];
	struct session *sessions;
	size_t nsessions;
	struct session local; /* without logins */
	int jobs; /* submitted, not yet done */
	struct throttle throttles[THROTTLE_MAX];
};

struct job {
	struct dashboard *d;
	struct evhttp_request *req; /* NULL once its client is gone */
	struct session *s; /* NULL for a sign-in */
	/* Copied on the loop: a reload may replace the dashboard's own
	 * while the worker runs the job. */
	char *conninfo, *replica, *tz;
	struct dash_ctx ctx;
	struct evkeyvalq params;
	char *path, *self;
	int post;
	int submitted; /* counted in the dashboard's jobs */
	evutil_socket_t fd; /* the client's, to see whether it has left */
	/* a sign-in */
	char *user, *password, *addr;
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
		/* Another site of the domain may have set a cookie of the
		 * same name: every one is tried. */
		if (sscanf(p + sizeof COOKIE, "%64[0-9a-f].%64[0-9a-f]", id,
		        sig) != 2)
			continue;
		sign(d, id, want);
		if (!same(want, sig))
			continue;
		for (struct session *s = d->sessions; s != NULL; s = s->next)
			if (same(s->id, id))
				return s;
	}
	return NULL;
}

/* --- sign-in throttle --- */

static struct throttle *
throttle_of(
    struct dashboard *d, const char *kind, const char *name, int64_t now)
{
	char key[sizeof d->throttles[0].key];
	struct throttle *free_slot = NULL;

	snprintf(key, sizeof key, "%s:%s", kind, name);
	for (size_t i = 0; i < THROTTLE_MAX; i++) {
		struct throttle *t = &d->throttles[i];

		if (t->key[0] != '\0' && strcmp(t->key, key) == 0)
			return t;
		if (t->key[0] == '\0' ||
		    (!t->busy && now - t->last_ms > FAIL_FORGET_MS &&
		        now >= t->until_ms))
			free_slot = free_slot ? free_slot : t;
	}
	if (free_slot != NULL) {
		memset(free_slot, 0, sizeof *free_slot);
		snprintf(free_slot->key, sizeof free_slot->key, "%s", key);
	}
	return free_slot;
}

/* 0 and both records held for an attempt, or the milliseconds to wait
 * before one. */
static int64_t
throttle_take(
    struct dashboard *d, const char *user, const char *addr, int64_t now)
{
	struct throttle *t[2] = { throttle_of(d, "role", user, now),
		throttle_of(d, "addr", addr, now) };
	int64_t wait = 0;

	for (int i = 0; i < 2; i++) {
		if (t[i] == NULL || t[i]->busy)
			wait = wait > FAIL_BASE_MS ? wait : FAIL_BASE_MS;
		else if (t[i]->until_ms > now && t[i]->until_ms - now > wait)
			wait = t[i]->until_ms - now;
	}
	if (wait > 0)
		return wait;
	for (int i = 0; i < 2; i++) {
		t[i]->busy = 1;
		t[i]->last_ms = now;
	}
	return 0;
}

static void
throttle_give(struct dashboard *d, const char *user, const char *addr, int ok,
    int64_t now)
{
	struct throttle *t[2] = { throttle_of(d, "role", user, now),
		throttle_of(d, "addr", addr, now) };

	for (int i = 0; i < 2; i++) {
		int64_t wait;

		if (t[i] == NULL)
			continue;
		if (ok) {
			/* Only failures are worth remembering. */
			memset(t[i], 0, sizeof *t[i]);
			continue;
		}
		t[i]->busy = 0;
		t[i]->last_ms = now;
		t[i]->failures++;
		wait = (int64_t)FAIL_BASE_MS
		    << (t[i]->failures > 6 ? 5 : t[i]->failures - 1);
		t[i]->until_ms =
		    now + (wait > FAIL_MAX_MS ? FAIL_MAX_MS : wait);
	}
}

/* --- answers --- */

static void
add_headers(struct evhttp_request *req, const char *type, int cache)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

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
	 * its links lead to; its own forms keep their origin, which
	 * same_site() reads. */
	evhttp_add_header(h, "Referrer-Policy", "same-origin");
	evhttp_add_header(
	    h, "Cache-Control", cache ? "max-age=3600" : "no-store");
}

static void
send_reply(struct evhttp_request *req, int status, const char *type,
    struct evbuffer *out)
{
	static const struct {
		int code;
		const char *reason;
	} reasons[] = { { 200, "OK" }, { 303, "See Other" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 421, "Misdirected Request" }, { 429, "Too Many Requests" },
		{ 503, "Service Unavailable" } };
	const char *reason = "Error";

	for (size_t i = 0; i < ARRAY_LEN(reasons); i++)
		if (reasons[i].code == status)
			reason = reasons[i].reason;
	add_headers(req, type, 0);
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD)
		evbuffer_drain(out, evbuffer_get_length(out));
	evhttp_send_reply(req, status, reason, out);
}

static void
reply(struct evhttp_request *req, int status, const char *type,
    const char *body, size_t len)
{
	struct evbuffer *out = evbuffer_new();

	evbuffer_add(out, body, len);
	send_reply(req, status, type, out);
	evbuffer_free(out);
}

static void
free_sent(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	free(arg);
}

/* Answers with b's text, handed over rather than copied: a CSV export
 * can be large. */
static void
reply_buf(
    struct evhttp_request *req, int status, const char *type, struct buf *b)
{
	struct evbuffer *out = evbuffer_new();
	size_t len = b->len;
	char *data = buf_release(b);

	if (len > 0)
		evbuffer_add_reference(out, data, len, free_sent, data);
	else
		free(data);
	send_reply(req, status, type, out);
	evbuffer_free(out);
}

static void
redirect(struct evhttp_request *req, const char *to)
{
	evhttp_add_header(
	    evhttp_request_get_output_headers(req), "Location", to);
	reply(req, 303, "text/plain; charset=utf-8", "", 0);
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
	reply(req, status, "text/html; charset=utf-8", b.data, b.len);
	buf_clear(&b);
}

static void
login_page(struct dashboard *d, struct evhttp_request *req, int status,
    enum dash_login why)
{
	struct dash_ctx ctx;
	struct buf b;
	char token[65];

	ctx_of(d, NULL, &ctx);
	login_token(d, token);
	buf_init(&b);
	dash_login_page(&b, &ctx, token, why);
	reply(req, status, "text/html; charset=utf-8", b.data, b.len);
	buf_clear(&b);
}

static int
serve_static(struct evhttp_request *req, const char *path)
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
		add_headers(req, files[i].type, 1);
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
	j->replica = d->replica ? xstrdup(d->replica) : NULL;
	j->tz = xstrdup(d->tz);
	j->fd = bufferevent_getfd(evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req)));
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
	if (j->submitted)
		j->d->jobs--;
	if (j->s != NULL && --j->s->jobs == 0 && j->s->ended)
		session_free(j->s);
	evhttp_clear_headers(&j->params);
	free(j->path);
	free(j->self);
	free(j->conninfo);
	free(j->replica);
	free(j->tz);
	free(j->user);
	free(j->addr);
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
 * pg_stat_activity, a bound on any query, no JIT compilation (a page's
 * statements are short; compiling the overview's took 2.7 s of its 7.7
 * on 10 million mentions, docs/BENCHMARKS.md), the page's time zone, and
 * for the local user no writing at all. */
static int
conn_setup(PGconn *c, const char *tz, int read_only)
{
	const char *p[1] = { tz };
	PGresult *res;
	int ok;

	res = PQexec(c,
	    read_only ? "SET application_name = 'vigie dashboard';"
	                "SET search_path = public;"
	                "SET statement_timeout = '20s';"
	                "SET jit = off;"
	                "SET default_transaction_read_only = on"
	              : "SET application_name = 'vigie dashboard';"
	                "SET search_path = public;"
	                "SET statement_timeout = '20s';"
	                "SET jit = off");
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

/* Whether the client closed its connection: a peek that reads the end
 * of the stream. */
static int
client_gone(evutil_socket_t fd)
{
	char c;

	return fd >= 0 && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* The job's session's connection, made again if the server dropped it;
 * NULL when it cannot be. */
static PGconn *
session_conn(struct job *j)
{
	struct session *s = j->s;

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
		/* Read-only: the replica's work, when there is one, and the
		 * primary's while the replica cannot be reached. */
		s->conn = connect_as(
		    j->replica ? j->replica : j->conninfo, NULL, NULL);
		if (PQstatus(s->conn) != CONNECTION_OK && j->replica != NULL) {
			PQfinish(s->conn);
			s->conn = connect_as(j->conninfo, NULL, NULL);
		}
		if (PQstatus(s->conn) != CONNECTION_OK ||
		    conn_setup(s->conn, j->tz, 1) != 0) {
			PQfinish(s->conn);
			s->conn = NULL;
		}
	}
	return s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK ? s->conn
	                                                             : NULL;
}

static void
run_page(void *arg)
{
	struct job *j = arg;
	struct page_req pr = { .path = j->path,
		.self = j->self,
		.params = &j->params,
		.post = j->post,
		.ctx = j->ctx };
	PGconn *conn;

	pr.ctx.self = j->self;
	if (client_gone(j->fd)) {
		/* Nobody to answer: libevent does not read a connection
		 * while its request is handled, so the loop cannot know. */
		j->resp.status = 499;
		return;
	}
	conn = session_conn(j);
	if (conn != NULL) {
		pages_serve(conn, &pr, &j->resp);
		/* A connection the server dropped since the last page (a
		 * restart) fails only once used: the page is asked once more
		 * on a new one. Never a form: it is not sent twice. */
		if (j->resp.status == 503 && !j->post &&
		    PQstatus(conn) == CONNECTION_BAD) {
			page_resp_clear(&j->resp);
			if ((conn = session_conn(j)) != NULL)
				pages_serve(conn, &pr, &j->resp);
		}
	}
	if (conn == NULL) {
		page_resp_clear(&j->resp);
		j->resp.status = 503;
		dash_error_page(&j->resp.body, &pr.ctx,
		    (struct dash_text){ "La base de donn\xc3\xa9"
		                        "es est injoignable.",
		        "The database cannot be reached." });
		j->resp.type = "text/html; charset=utf-8";
	}
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
		redirect(req, j->resp.location);
	} else if (req != NULL) {
		if (j->resp.filename != NULL) {
			char *disp = xasprintf(
			    "attachment; filename=\"%s\"", j->resp.filename);

			evhttp_add_header(
			    evhttp_request_get_output_headers(req),
			    "Content-Disposition", disp);
			free(disp);
		}
		reply_buf(req, j->resp.status, j->resp.type, &j->resp.body);
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
		return;
	}
	/* Signed in on the primary, which decides; a role that only reads
	 * then reads on the replica. An editor stays: a correction must be
	 * written, and read back at once. */
	if (!j->editor && j->replica != NULL) {
		PGconn *r = connect_as(j->replica, j->user, j->password);

		if (PQstatus(r) == CONNECTION_OK &&
		    conn_setup(r, j->tz, 0) == 0) {
			PQfinish(j->conn);
			j->conn = r;
		} else {
			PQfinish(r);
		}
	}
}

/* Room for a session of user: the role's least recently used beyond
 * its share, and the least recently used of all when they are too many,
 * end. */
static void
sessions_make_room(struct dashboard *d, const char *user)
{
	for (;;) {
		struct session *oldest = NULL, *oldest_role = NULL;
		size_t of_role = 0;

		for (struct session *s = d->sessions; s != NULL; s = s->next) {
			if (oldest == NULL || s->seen_ms < oldest->seen_ms)
				oldest = s;
			if (strcmp(s->user, user) != 0)
				continue;
			of_role++;
			if (oldest_role == NULL ||
			    s->seen_ms < oldest_role->seen_ms)
				oldest_role = s;
		}
		if (of_role >= SESSIONS_PER_ROLE)
			session_end(d, oldest_role);
		else if (d->nsessions >= SESSIONS_MAX)
			session_end(d, oldest);
		else
			return;
	}
}

static void
done_login(void *arg, int cancelled)
{
	struct job *j = arg;
	struct dashboard *d = j->d;
	int64_t now = now_mono_ms();
	struct evhttp_request *req = job_detach(j);
	struct session *s;
	char sig[65], *cookie;

	throttle_give(d, j->user, j->addr, j->conn != NULL, now);
	if (req == NULL || cancelled) {
		job_free(j);
		return;
	}
	if (j->conn == NULL) {
		log_info("dashboard: a sign-in refused");
		login_page(d, req, 401, DASH_LOGIN_REFUSED);
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
	sessions_expire(d, now);
	sessions_make_room(d, j->user);
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
	redirect(req, "/");
	job_free(j);
}

/* --- requests --- */

/* Whether a form comes from the dashboard's own pages, as the browser
 * says (Sec-Fetch-Site, Origin); a client that says nothing is judged by
 * its token alone. */
static int
same_site(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *site = evhttp_find_header(h, "Sec-Fetch-Site");
	const char *origin = evhttp_find_header(h, "Origin");
	const char *host = evhttp_find_header(h, "Host");
	const char *rest;

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return 0;
	if (origin == NULL)
		return 1;
	/* "null": a sandboxed or privacy-bound sender; only the browser's
	 * Sec-Fetch-Site, checked above, can vouch for it. */
	if (strcmp(origin, "null") == 0)
		return site != NULL;
	rest = strncmp(origin, "https://", 8) == 0 ? origin + 8
	    : strncmp(origin, "http://", 7) == 0   ? origin + 7
	                                           : NULL;
	return rest != NULL && host != NULL && strcmp(rest, host) == 0;
}

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

/* The client's address, for the sign-in throttle. */
static char *
peer_of(struct evhttp_request *req)
{
	char *host = NULL;
	ev_uint16_t port;

	evhttp_connection_get_peer(
	    evhttp_request_get_connection(req), &host, &port);
	return xstrdup(host != NULL ? host : "?");
}

/* The password out of the request's memory, wherever libevent kept a
 * copy we can reach: the body and the parsed form. */
static void
wipe_password(struct evhttp_request *req, struct evkeyvalq *form)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	unsigned char *body = n > 0 ? evbuffer_pullup(in, -1) : NULL;
	struct evkeyval *kv;

	if (body != NULL)
		OPENSSL_cleanse(body, n);
	TAILQ_FOREACH(kv, form, next)
	if (strcmp(kv->key, "password") == 0)
		OPENSSL_cleanse(kv->value, strlen(kv->value));
}

static void
start_login(struct dashboard *d, struct evhttp_request *req)
{
	struct job *j = job_new(d, req, NULL);
	char token[65];
	const char *user, *password;
	int64_t wait;

	login_token(d, token);
	if (read_form(req, &j->params) != 0 ||
	    !same(token, evhttp_find_header(&j->params, "csrf"))) {
		wipe_password(req, &j->params);
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
		wipe_password(req, &j->params);
		login_page(d, req, 401, DASH_LOGIN_REFUSED);
		job_free(j);
		return;
	}
	j->user = xstrdup(user);
	j->password = xstrdup(password);
	j->addr = peer_of(req);
	wipe_password(req, &j->params);
	evhttp_clear_headers(&j->params);
	wait = throttle_take(d, j->user, j->addr, now_mono_ms());
	if (wait > 0) {
		char *after = xasprintf("%lld", (long long)(wait + 999) / 1000);

		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", after);
		free(after);
		login_page(d, req, 429, DASH_LOGIN_WAIT);
		job_free(j);
		return;
	}
	j->submitted = 1;
	d->jobs++;
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
	if (!d->logins &&
	    !http_host_is_loopback(evhttp_find_header(
	        evhttp_request_get_input_headers(req), "Host"))) {
		/* Without logins the pages are anyone's who reaches them:
		 * a page elsewhere that had its name point at this machine
		 * (DNS rebinding) must not read them. */
		error_page(d, req, NULL, 421,
		    (struct dash_text){
		        "Adresse inattendue.", "Unexpected host." });
		return;
	}
	if (post && !same_site(req)) {
		error_page(d, req, NULL, 403,
		    (struct dash_text){ "Formulaire envoy\xc3\xa9 d'un autre "
		                        "site : refus\xc3\xa9.",
		        "A form sent from another site: refused." });
		return;
	}
	if (!post && serve_static(req, path))
		return;
	if (!d->logins) {
		s = &d->local;
	} else {
		sessions_expire(d, now_mono_ms());
		s = session_find(d, req);
		if (strcmp(path, "/login") == 0) {
			if (post)
				start_login(d, req);
			else if (s != NULL)
				redirect(req, "/");
			else
				login_page(d, req, 200, DASH_LOGIN_FIRST);
			return;
		}
		if (s == NULL) {
			if (post)
				error_page(d, req, NULL, 403,
				    (struct dash_text){ "Session expir\xc3\xa9"
				                        "e.",
				        "Session expired." });
			else
				redirect(req, "/login");
			return;
		}
		s->seen_ms = now_mono_ms();
	}
	if (d->jobs >= JOBS_MAX ||
	    (s->user != NULL && s->jobs >= JOBS_PER_SESSION)) {
		error_page(d, req, s, 503,
		    (struct dash_text){ "Trop de demandes en cours : "
		                        "r\xc3\xa9"
		                        "essayez dans un instant.",
		        "Too many requests under way: try again in a "
		        "moment." });
		return;
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
		redirect(req, "/login");
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
	j->self =
	    query != NULL ? xasprintf("%s?%s", path, query) : xstrdup(path);
	j->submitted = 1;
	d->jobs++;
	worker_submit(d->worker, run_page, done_page, j);
}

void
dashboard_set_conf(struct dashboard *d, const struct conf *c)
{
	if (d->tz != NULL && c->dashboard.logins != d->logins)
		log_warn("%s: [dashboard] logins takes effect at the next "
		         "start",
		    c->path);
	free(d->tz);
	d->tz = c->dashboard.tz != NULL ? xstrdup(c->dashboard.tz)
	                                : conf_tz_default();
	free(d->conninfo);
	d->conninfo = xstrdup(c->conninfo != NULL ? c->conninfo : "");
	free(d->replica);
	d->replica = c->replica != NULL ? xstrdup(c->replica) : NULL;
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
	d->http = http;
	d->logins = c->dashboard.logins;
	if (d->logins && !http_listen_is_loopback(listen) &&
	    !c->dashboard.secure)
		log_warn("dashboard on %s: passwords and session cookies "
		         "travel in clear unless an HTTPS proxy is in front "
		         "(then set [dashboard] secure = yes)",
		    listen);
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
	free(d->replica);
	free(d);
}
