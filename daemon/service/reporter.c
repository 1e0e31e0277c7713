/*
 * reporter.c - the scheduled reports (see reporter.h).
 *
 * A check of a report asks the database for the report's wall clock,
 * takes the latest period due then (core/report/schedule.h), and sends it
 * unless report_runs has it: so a daemon that was down sends, when it
 * starts, the period it missed (the latest only, never a backlog), and a
 * second daemon or a restart finds the run and sends nothing again. The
 * check runs on the worker thread with copies of what it needs from the
 * configuration, which a reload may free meanwhile; the loop only keeps,
 * per report, when to check it next.
 */
#include "service/reporter.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert/alert.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/read/date.h"
#include "core/report/report.h"
#include "core/report/report_send.h"
#include "core/report/schedule.h"
#include "service/db/pq.h"
#include "service/db/report_data.h"
#include "service/db/report_runs.h"
#include "service/outbox.h"
#include "service/worker.h"

#define DAY_S 86400
#define RETRY_MS 60000LL
/* Checked at least this often, whatever the next due time said: the
 * clock may be set, a zone's rules may change. */
#define CHECK_MAX_MS (3600 * 1000LL)
#define LIST_MAX 64

/* When to check a report next, by its name. */
struct slot {
	char *name;
	int64_t next_ms;
	int busy; /* a check is on the worker */
};

struct reporter {
	struct worker *worker;
	const struct conf *conf;
	char owner[160];
	char host[128];
	struct slot *slots;
	size_t nslots;
	PGconn *conn; /* the worker thread's only, kept between checks */
	PGconn *read_conn; /* likewise, on [database] replica */
};

/* A [notify] target as it stood when the check was sent. */
struct target {
	char *name, *email, *webhook;
};

enum outcome { RUN_FAILED, RUN_SENT, RUN_DONE_BEFORE };

/* One check: the report's configuration copied, and what came of it. */
struct check {
	struct reporter *rp;
	char *conninfo, *name, *tz, *watches, *tags, *lang, *from_addr;
	char *replica; /* where the figures are read, or NULL */
	enum report_every every;
	int at_min;
	enum report_format format;
	struct target *targets;
	size_t ntargets;
	int64_t now_ms;
	/* Results. */
	enum outcome outcome;
	char *err;
	int64_t from, to; /* the period checked, civil */
	int64_t next_s; /* when the next one is due */
	char event_id[ALERT_UUID_LEN];
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static struct check *
check_new(struct reporter *rp, const struct conf_report *r, int64_t now_ms)
{
	const struct conf *c = rp->conf;
	struct check *k = xcalloc(1, sizeof *k);
	char *copy = xstrdup(r->notify);
	const char *names[LIST_MAX];
	size_t n = outbox_split(copy, names, LIST_MAX);

	k->rp = rp;
	k->conninfo = xstrdup(c->conninfo);
	k->replica = dup_or_null(c->replica);
	k->name = xstrdup(r->name);
	k->tz = xstrdup(r->tz);
	k->watches = dup_or_null(r->watches);
	k->tags = dup_or_null(r->tags);
	k->lang = xstrdup(r->lang);
	k->from_addr = dup_or_null(c->smtp.from);
	k->every = (enum report_every)r->every;
	k->at_min = r->at_min;
	k->format = (enum report_format)r->format;
	k->now_ms = now_ms;
	k->targets = xcalloc(n + 1, sizeof *k->targets);
	for (size_t i = 0; i < n; i++) {
		const struct conf_notify *t = conf_find_notify(c, names[i]);

		if (t == NULL)
			continue;
		k->targets[k->ntargets].name = xstrdup(t->name);
		k->targets[k->ntargets].email = dup_or_null(t->email);
		k->targets[k->ntargets].webhook = dup_or_null(t->webhook);
		k->ntargets++;
	}
	free(copy);
	return k;
}

static void
check_free(struct check *k)
{
	for (size_t i = 0; i < k->ntargets; i++) {
		free(k->targets[i].name);
		free(k->targets[i].email);
		free(k->targets[i].webhook);
	}
	free(k->targets);
	free(k->conninfo);
	free(k->replica);
	free(k->name);
	free(k->tz);
	free(k->watches);
	free(k->tags);
	free(k->lang);
	free(k->from_addr);
	free(k->err);
	free(k);
}

/* The notifications of the report for every target, as outbox rows. */
static char *
render_rows(struct check *k, const struct report *r)
{
	const struct report_sending s = {
		.name = k->name,
		.event_id = k->event_id,
		.at_ms = k->now_ms,
		.body = k->format,
	};
	json_t *rows = json_array();
	char *out;

	for (size_t i = 0; i < k->ntargets; i++) {
		const struct target *t = &k->targets[i];

		if (t->email != NULL && k->from_addr != NULL) {
			char *copy = xstrdup(t->email);
			const char *to[LIST_MAX];
			size_t nto = outbox_split(copy, to, LIST_MAX);

			outbox_add_row(rows, t->name, "email", t->email,
			    "message/rfc822",
			    report_email(
			        r, &s, k->from_addr, to, nto, k->rp->host));
			free(copy);
		}
		if (t->webhook != NULL)
			outbox_add_row(rows, t->name, "webhook", t->webhook,
			    "application/json", report_webhook(r, &s));
	}
	out = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	return out;
}

/* Reads the period's figures, writes the notifications and records them
 * with the run. */
static int
send_period(struct check *k, PGconn *conn, PGconn *read)
{
	struct report *r = report_new(k->from, k->to, k->lang);
	char *wcopy = dup_or_null(k->watches), *tcopy = dup_or_null(k->tags);
	const char *names[LIST_MAX], *tags[LIST_MAX];
	size_t n = wcopy ? outbox_split(wcopy, names, LIST_MAX) : 0;
	size_t ntags = tcopy ? outbox_split(tcopy, tags, LIST_MAX) : 0;
	char day[DATE_RFC3339_LEN], *key, *rows = NULL;
	int rc;

	date_format_rfc3339(k->from, day);
	day[10] = '\0';
	/* The unit separator cannot occur in names read from the
	 * configuration. */
	key = xasprintf("report\x1f%s\x1f%s", k->name, day);
	alert_uuid(key, k->event_id);
	free(key);
	rc = report_data_read(read, r, names, n, tags, ntags, &k->err);
	if (rc == 0 && (rows = render_rows(k, r)) == NULL) {
		k->err = xstrdup("report: out of memory writing it");
		rc = -1;
	}
	if (rc == 0) {
		rc = report_runs_record(conn, k->name, k->from, k->to,
		    k->event_id, k->rp->owner, rows, &k->err);
		k->outcome = rc == 1 ? RUN_SENT : RUN_DONE_BEFORE;
	}
	free(rows);
	free(wcopy);
	free(tcopy);
	report_free(r);
	return rc < 0 ? -1 : 0;
}

/* Where the figures are read: the replica, kept between checks, else
 * (none configured, or unreachable) the primary, whose answer is the
 * same, only sooner. */
static PGconn *
replica_conn(struct reporter *rp, struct check *k)
{
	char *err = NULL;

	if (rp->read_conn != NULL && PQstatus(rp->read_conn) != CONNECTION_OK) {
		PQfinish(rp->read_conn);
		rp->read_conn = NULL;
	}
	if (rp->read_conn == NULL && k->replica != NULL)
		rp->read_conn = pq_connect(k->replica, &err);
	free(err);
	return rp->read_conn != NULL ? rp->read_conn : rp->conn;
}

/* On the worker's thread. */
static void
run_check(void *arg)
{
	struct check *k = arg;
	struct reporter *rp = k->rp;
	struct report_period p;
	int64_t civil, next_civil;
	int done;

	k->outcome = RUN_FAILED;
	if (rp->conn != NULL && PQstatus(rp->conn) != CONNECTION_OK) {
		PQfinish(rp->conn);
		rp->conn = NULL;
	}
	if (rp->conn == NULL &&
	    (rp->conn = pq_connect(k->conninfo, &k->err)) == NULL)
		return;
	if (report_runs_clock(rp->conn, k->tz, &civil, &k->err) < 0)
		return;
	schedule_latest(k->every, k->at_min, civil, &p, &next_civil);
	k->from = p.from;
	k->to = p.to;
	if (report_runs_instant(
	        rp->conn, k->tz, next_civil, &k->next_s, &k->err) < 0 ||
	    (done = report_runs_done(rp->conn, k->name, p.from, &k->err)) < 0)
		return;
	if (done) {
		k->outcome = RUN_DONE_BEFORE;
		return;
	}
	send_period(k, rp->conn, replica_conn(rp, k));
}

static struct slot *
find_slot(struct reporter *rp, const char *name)
{
	for (size_t i = 0; i < rp->nslots; i++)
		if (strcmp(rp->slots[i].name, name) == 0)
			return &rp->slots[i];
	return NULL;
}

/* On the loop. */
static void
on_checked(void *arg, int cancelled)
{
	struct check *k = arg;
	struct slot *s = find_slot(k->rp, k->name);
	int64_t now = now_real_ms(), next = now + RETRY_MS;
	char from[DATE_RFC3339_LEN], to[DATE_RFC3339_LEN];

	if (cancelled) {
		check_free(k);
		return;
	}
	date_format_rfc3339(k->from, from);
	date_format_rfc3339(k->to - DAY_S, to);
	from[10] = to[10] = '\0';
	if (k->outcome == RUN_FAILED) {
		log_warn("report %s: %s; trying again in %lld s", k->name,
		    k->err ? k->err : "failed", RETRY_MS / 1000);
	} else {
		if (k->outcome == RUN_SENT)
			log_notice("report %s: %s to %s sent to the outbox "
			           "(event %s)",
			    k->name, from, to, k->event_id);
		else
			log_info("report %s: %s to %s already sent", k->name,
			    from, to);
		/* Not sooner than a retry: a due time the server put in
		 * the past (a clock set back) must not make a busy loop. */
		next = k->next_s * 1000;
		if (next < now + RETRY_MS)
			next = now + RETRY_MS;
		if (next > now + CHECK_MAX_MS)
			next = now + CHECK_MAX_MS;
	}
	if (s != NULL) {
		s->busy = 0;
		s->next_ms = next;
	}
	check_free(k);
}

void
reporter_tick(struct reporter *rp, int64_t now_ms)
{
	if (rp->conf == NULL)
		return;
	for (size_t i = 0; i < rp->nslots; i++) {
		struct slot *s = &rp->slots[i];
		const struct conf_report *r;

		if (s->busy || now_ms < s->next_ms ||
		    (r = conf_find_report(rp->conf, s->name)) == NULL)
			continue;
		s->busy = 1;
		worker_submit(rp->worker, run_check, on_checked,
		    check_new(rp, r, now_ms));
	}
}

static void
clear_slots(struct slot *slots, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(slots[i].name);
	free(slots);
}

void
reporter_set_conf(struct reporter *rp, const struct conf *c)
{
	struct slot *slots = xcalloc(c->nreports + 1, sizeof *slots);

	for (size_t i = 0; i < c->nreports; i++) {
		const struct slot *old = find_slot(rp, c->reports[i].name);

		slots[i].name = xstrdup(c->reports[i].name);
		/* A check on the worker ends on this slot. */
		slots[i].busy = old != NULL && old->busy;
	}
	clear_slots(rp->slots, rp->nslots);
	rp->slots = slots;
	rp->nslots = c->nreports;
	rp->conf = c;
}

struct reporter *
reporter_new(struct worker *w, const char *owner, const char *host)
{
	struct reporter *rp = xcalloc(1, sizeof *rp);

	rp->worker = w;
	snprintf(rp->owner, sizeof rp->owner, "%s", owner);
	snprintf(rp->host, sizeof rp->host, "%s", host);
	return rp;
}

void
reporter_free(struct reporter *rp)
{
	if (rp == NULL)
		return;
	clear_slots(rp->slots, rp->nslots);
	PQfinish(rp->conn);
	PQfinish(rp->read_conn);
	free(rp);
}
