/*
 * outbox.c - delivers notifications from the outbox (see outbox.h).
 *
 * The message was written once, when the incident changed state; here it
 * is only sent, so every retry carries the same bytes, the same event id
 * and the same Message-ID, and a receiver can drop a duplicate. Webhook
 * signatures are computed at delivery time, so that secrets stay in their
 * files and never reach the database.
 */
#include "service/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "core/alert/alert.h"
#include "core/base/file.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "service/db/store.h"
#include "service/net/fetch.h"

#define CLAIM_LIMIT 16
#define LEASE_S 600
#define RETRY_MIN_MS 30000LL
#define RETRY_MAX_MS (3600 * 1000LL)
#define GIVE_UP_MS (24 * 3600 * 1000LL)
#define DELIVERY_TIMEOUT_MS 30000
#define RESPONSE_MAX 65536

struct delivery {
	struct outbox *ob;
	struct outbox_row row;
	struct fetch *fetch;
	TAILQ_ENTRY(delivery) entry;
};

TAILQ_HEAD(delivery_list, delivery);

struct outbox {
	struct store *store;
	struct fetcher *fetcher;
	const struct conf *conf;
	char owner[160];
	int claiming;
	int stopping;
	int empty; /* the last claim found nothing due */
	int results; /* results being stored */
	struct delivery_list inflight;
};

/* The first line of a secret file: a key or a password. Returns a new
 * string, or NULL with the reason logged (never the secret). */
static char *
read_secret(const char *path)
{
	const char *why = NULL;
	char *secret = file_secret(path, &why);

	if (secret == NULL)
		log_err("cannot read secret file %s: %s", path, why);
	return secret;
}

/* The comma-separated list as an array of strings (in a copy). */
size_t
outbox_split(char *copy, const char **out, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t != NULL && n < max;
	     t = strtok_r(NULL, ",", &save))
		out[n++] = t;
	return n;
}

void
outbox_add_row(json_t *rows, const char *target, const char *channel,
    const char *destination, const char *type, char *body)
{
	json_t *o;

	if (body == NULL) {
		log_err(
		    "notify %s: the %s could not be written", target, channel);
		return;
	}
	o = json_object();
	json_object_set_new(o, "target", json_string(target));
	json_object_set_new(o, "channel", json_string(channel));
	json_object_set_new(o, "destination", json_string(destination));
	json_object_set_new(o, "content_type", json_string(type));
	json_object_set_new(o, "body", json_string(body));
	json_array_append_new(rows, o);
	free(body);
}

static void
on_result_stored(int ok, void *arg)
{
	struct outbox *ob = arg;

	(void)ok;
	ob->results--;
}

static void
delivery_free(struct delivery *dv)
{
	struct outbox_row *r = &dv->row;

	free(r->event_id);
	free(r->target);
	free(r->channel);
	free(r->destination);
	free(r->content_type);
	free(r->body);
	free(dv);
}

static void
on_delivered(struct fetch_response *resp, void *arg)
{
	struct delivery *dv = arg;
	struct outbox *ob = dv->ob;
	struct outbox_row *r = &dv->row;
	int email = strcmp(r->channel, "email") == 0;
	int ok = !resp->failed &&
	    (email || (resp->status >= 200 && resp->status <= 299));
	char err[320] = "";
	int64_t retry = 0;
	int give_up = 0;

	TAILQ_REMOVE(&ob->inflight, dv, entry);
	if (!ok) {
		if (resp->failed)
			snprintf(err, sizeof err, "%s", resp->error);
		else
			snprintf(err, sizeof err, "HTTP %ld", resp->status);
		/* 30 s, doubled each attempt, an hour at most, with
		 * jitter; given up a day after it was written. */
		retry = RETRY_MIN_MS << (r->attempts < 7 ? r->attempts : 7);
		if (retry > RETRY_MAX_MS)
			retry = RETRY_MAX_MS;
		retry += (int64_t)arc4random_uniform((uint32_t)(retry / 4));
		give_up = now_real_ms() + retry - r->created_ms > GIVE_UP_MS;
		log_warn("notify %s: %s of event %s failed (attempt %d): %s%s",
		    r->target, r->channel, r->event_id, r->attempts + 1, err,
		    give_up ? "; giving up" : "");
	} else {
		log_notice("notify %s: %s of event %s delivered", r->target,
		    r->channel, r->event_id);
	}
	ob->results++;
	store_outbox_result(ob->store, r->id, ok, ok ? NULL : err, retry,
	    give_up, on_result_stored, ob);
	delivery_free(dv);
}

/* Fills req for the row; returns 0, or -1 when it cannot be sent as the
 * configuration stands (the error is then recorded like a failure). */
static int
prepare(struct outbox *ob, struct delivery *dv, struct fetch_request *req,
    char **to_copy, const char **rcpt, size_t maxrcpt, char **headers,
    char **secret)
{
	const struct conf *c = ob->conf;
	struct outbox_row *r = &dv->row;

	memset(req, 0, sizeof *req);
	req->body = r->body;
	req->body_len = strlen(r->body);
	req->timeout_ms = DELIVERY_TIMEOUT_MS;
	req->max_body = RESPONSE_MAX;
	req->user_agent = c->poll.user_agent;
	if (strcmp(r->channel, "email") == 0) {
		char *save = NULL;

		if (c->smtp.url == NULL || c->smtp.from == NULL)
			return -1;
		req->url = c->smtp.url;
		req->mail_from = c->smtp.from;
		req->starttls = c->smtp.starttls;
		req->username = c->smtp.username;
		if (c->smtp.password_file != NULL &&
		    (*secret = read_secret(c->smtp.password_file)) == NULL)
			return -1;
		req->password = *secret;
		*to_copy = xstrdup(r->destination);
		for (char *t = strtok_r(*to_copy, ",", &save);
		     t != NULL && req->nrcpt < maxrcpt;
		     t = strtok_r(NULL, ",", &save))
			rcpt[req->nrcpt++] = t;
		req->mail_rcpt = rcpt;
		return 0;
	}
	const struct conf_notify *t = conf_find_notify(c, r->target);
	char sig[ALERT_SIGN_LEN];

	/* A target a reload removed may have had a secret: sending unsigned
	 * what the receiver expects signed would teach it to accept that. */
	if (t == NULL)
		return -1;
	req->url = r->destination;
	headers[0] = xasprintf("Content-Type: %s", r->content_type);
	headers[1] = xasprintf("%s: %s", WEBHOOK_EVENT_HEADER, r->event_id);
	req->nheaders = 2;
	if (t != NULL && t->secret_file != NULL) {
		if ((*secret = read_secret(t->secret_file)) == NULL ||
		    alert_sign(*secret, strlen(*secret), r->body,
		        strlen(r->body), sig) == -1)
			return -1;
		headers[req->nheaders++] =
		    xasprintf("%s: %s", WEBHOOK_SIGNATURE_HEADER, sig);
	}
	req->headers = (const char *const *)headers;
	return 0;
}

static void
deliver(struct outbox *ob, struct delivery *dv)
{
	struct fetch_request req;
	char *to_copy = NULL, *secret = NULL;
	char *headers[3] = { NULL, NULL, NULL };
	const char *rcpt[64];

	TAILQ_INSERT_TAIL(&ob->inflight, dv, entry);
	if (prepare(ob, dv, &req, &to_copy, rcpt, ARRAY_LEN(rcpt), headers,
	        &secret) == 0)
		dv->fetch = fetch_start(ob->fetcher, &req, on_delivered, dv);
	free(to_copy);
	for (size_t i = 0; i < ARRAY_LEN(headers); i++)
		free(headers[i]);
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	if (dv->fetch == NULL) {
		struct fetch_response resp = { 0 };

		resp.failed = 1;
		snprintf(resp.error, sizeof resp.error,
		    "cannot send: check [smtp], [notify \"%s\"] and their "
		    "secret files",
		    dv->row.target);
		on_delivered(&resp, dv);
	}
}

static void
on_claimed(struct outbox_row *rows, long n, void *arg)
{
	struct outbox *ob = arg;

	ob->claiming = 0;
	ob->empty = n == 0;
	if (n <= 0 || ob->stopping) {
		store_outbox_free(rows, n < 0 ? 0 : n);
		return;
	}
	for (long i = 0; i < n; i++) {
		struct delivery *dv = xcalloc(1, sizeof *dv);

		dv->ob = ob;
		dv->row = rows[i];
		deliver(ob, dv);
	}
	/* The strings now belong to the deliveries. */
	free(rows);
}

void
outbox_tick(struct outbox *ob)
{
	if (ob->conf == NULL || ob->claiming || ob->stopping ||
	    !TAILQ_EMPTY(&ob->inflight))
		return;
	ob->claiming = 1;
	store_outbox_claim(
	    ob->store, ob->owner, CLAIM_LIMIT, LEASE_S, on_claimed, ob);
}

int
outbox_busy(const struct outbox *ob)
{
	return ob->claiming || ob->results > 0 || !TAILQ_EMPTY(&ob->inflight);
}

int
outbox_drained(const struct outbox *ob)
{
	return ob->empty && !outbox_busy(ob);
}

void
outbox_stop(struct outbox *ob)
{
	struct delivery *dv;

	ob->stopping = 1;
	while ((dv = TAILQ_FIRST(&ob->inflight)) != NULL) {
		TAILQ_REMOVE(&ob->inflight, dv, entry);
		if (dv->fetch != NULL)
			fetch_cancel(dv->fetch);
		delivery_free(dv);
	}
}

void
outbox_set_conf(struct outbox *ob, const struct conf *c)
{
	ob->conf = c;
}

struct outbox *
outbox_new(struct store *st, struct fetcher *fr, const char *owner)
{
	struct outbox *ob = xcalloc(1, sizeof *ob);

	ob->store = st;
	ob->fetcher = fr;
	snprintf(ob->owner, sizeof ob->owner, "%s", owner);
	TAILQ_INIT(&ob->inflight);
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	if (ob == NULL)
		return;
	outbox_stop(ob);
	free(ob);
}
