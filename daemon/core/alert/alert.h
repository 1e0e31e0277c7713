/*
 * alert.h - what a notification says, and how it is written: a MIME email
 * (text and HTML alternatives, UTF-8 headers encoded, no header injection
 * from feed text, a 24-hour chart without remote images) and a versioned
 * JSON webhook payload (or Slack's incoming-webhook shape), signed with
 * HMAC-SHA256. Pure functions of a struct alert: delivery is elsewhere.
 */
#ifndef VIGIE_ALERT_H
#define VIGIE_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "core/detect/detect.h"
#include "core/detect/incident.h"
#include "core/judge/sentiment.h"

struct alert_mention {
	const char *title;
	const char *source;
	const char *link;
	double score; /* compound tone */
	/* The site that published it when the source relays it (an alert
	 * feed, a news search: items.relayed_site), else NULL. */
	const char *via;
};

struct alert {
	const char *event_id; /* stable: a receiver drops duplicates by it */
	enum incident_kind kind;
	enum incident_state state;
	enum incident_severity severity;
	const char *subject; /* the watch's or the source's name */
	const char *lang; /* "fr" or "en": the language of the text */
	int64_t at_ms; /* when the state changed */
	int64_t started_ms; /* when the incident opened */
	/* spike */
	int window_count;
	int window_total;
	double expected;
	double ratio;
	double p;
	enum detect_reason reason; /* of a spike */
	int64_t window_ms;
	const struct alert_mention *top; /* most negative first */
	size_t ntop;
	const char *const *terms; /* the terms that matched */
	size_t nterms;
	const int *series; /* negatives per hour, oldest first, the
	                      last being the current hour (24 used) */
	size_t nseries;
	/* The emotion that most of the window's negative mentions show,
	 * when has_emotion (none of them may show one); how many of them
	 * spread a rumour. */
	int has_emotion;
	enum emotion emotion;
	int rumours;
	/* Of the window's negative mentions' authors, the one whose voice
	 * carries furthest (analytics.influencers' reach), or NULL; their
	 * profile URL (or NULL) and audience (< 0: not known). */
	const char *top_author;
	const char *top_author_profile;
	int64_t top_author_followers;
	/* spread: the story (its first item's id) and that first item, its
	 * source, title, link and time; the sites or accounts that took it
	 * up so far and its mentions. window_count is the most of them
	 * within one window, window_ms the window (spread_window), and top
	 * where it was taken up, in order. */
	int64_t story_id;
	const char *first_source;
	const char *first_title;
	const char *first_link;
	int64_t first_ms;
	int sites;
	int mentions;
	/* source */
	int failures;
	const char *last_error;
	const char *url;
};

/*
 * The whole message (headers and body, CRLF line ends) ready for SMTP.
 * from and each of to are "addr@host" or "Display Name <addr@host>";
 * message_id_domain names the host in the Message-ID. Returns a new
 * string, or NULL when an address is not a plain addr-spec (the message
 * would misroute or not parse).
 */
char *alert_email(const struct alert *, const char *from, const char *const *to,
    size_t nto, const char *message_id_domain);

enum webhook_format { WEBHOOK_JSON, WEBHOOK_SLACK };

#define WEBHOOK_VERSION 1
#define WEBHOOK_SIGNATURE_HEADER "X-Vigie-Signature-256"
#define WEBHOOK_EVENT_HEADER "X-Vigie-Event"

/* The webhook body (see docs/WEBHOOK.md). Returns a new string, or NULL
 * when memory ran out inside jansson. */
char *alert_webhook(const struct alert *, enum webhook_format);

/* "sha256=" and the lowercase hex HMAC-SHA256 of body with key, as in
 * GitHub's X-Hub-Signature-256, NUL-terminated. Returns 0,
 * or -1 (out empty) when libcrypto fails. */
#define ALERT_SIGN_LEN 72
int alert_sign(const void *key, size_t keylen, const char *body, size_t len,
    char out[ALERT_SIGN_LEN]);

/* A name-based UUID (version 5's layout, SHA-256) of key, NUL-terminated:
 * what identifies an event (an incident's change, a report's period) gives
 * the same id after a restart, and a receiver drops duplicates by it. */
#define ALERT_UUID_LEN 37
void alert_uuid(const char *key, char out[ALERT_UUID_LEN]);

#endif
