/*
 * alert_impl.h - what the renderers of an alert share: the cleaned view of
 * a struct alert and its wording (alert.c), and the text of the body in
 * each form, which the email (alert_email.c) and the Slack payload
 * (alert_webhook.c) are built from. Not for use outside core/alert/.
 */
#ifndef VIGIE_ALERT_IMPL_H
#define VIGIE_ALERT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/alert/alert.h"
#include "core/base/util.h"

#define TITLE_MAX 200 /* characters of a title or an error */
#define NAME_MAX_ 100 /* of a watch, source or display name, a term */
#define LINK_MAX 2048 /* bytes of a link; a longer one is not linked */
#define TOP_MAX 10
#define TERMS_MAX 20
#define SERIES_LEN 24
#define HDR_WIDTH 78 /* RFC 5322 2.1.1 */
#define QP_WIDTH 76 /* RFC 2045 6.7 */
/* Longest header word: even after "Subject: " it fits in HDR_WIDTH. */
#define WORD_MAX 60
/* UTF-8 bytes per encoded-word: base64 of 36 bytes is 48 characters, plus
 * "=?UTF-8?B?" and "?=" makes WORD_MAX. */
#define EW_BYTES 36
#define SLACK_BLOCK_MAX 2900 /* Slack refuses section text past 3000 */

enum mode { OUT_TEXT, OUT_HTML, OUT_SLACK };

/* The wording of one language. Formats take their arguments in the same
 * order in every language. */
struct words {
	const char *code;
	const char *severity[2]; /* warning, critical */
	const char *resolved;
	const char *colon; /* after a label */
	const char *what[5]; /* spike, spike worse, source down/up,
	                        story spreading */
	const char *decimal; /* decimal separator */
	const char *thousands; /* digit group separator */
	const char *win_minutes, *win_hour, *win_hours;
	const char *fired; /* count, watch, window, total, expected, ratio */
	const char *fired_cold; /* count, watch, window, total */
	const char *worse;
	const char *over; /* watch, count, window, expected */
	const char *odds; /* odds phrase, p */
	const char *odds_tiny, *odds_about;
	const char *cusum, *cold;
	const char *since, *lasted; /* dates */
	const char *src_down, *src_up; /* source, failures */
	const char *src_since;
	const char *address, *last_error;
	const char *top, *tone, *untitled, *terms;
	const char *emotion; /* label of the dominant emotion */
	const char *rumour_tag; /* in the subject */
	const char *rumour_label;
	const char *rumours_one, *rumours_many; /* count */
	const char *top_author; /* label */
	const char *followers; /* count, grouped */
	const char *chart; /* peak */
	const char *spread; /* watch, most in a window, span, in all,
	                       mentions */
	const char *spread_over; /* watch, span, in all, mentions */
	const char *span_minute, *span_minutes, *span_hour, *span_hours;
	const char *first_seen; /* source, date, title */
	const char *link; /* label */
	const char *spread_check;
	const char *seen; /* where a story was taken up: heading */
	const char *footer; /* event id */
};

enum { WHAT_SPIKE, WHAT_WORSE, WHAT_DOWN, WHAT_UP, WHAT_SPREAD };

/* One untrusted string, cleaned, in each of the forms a renderer needs. */
struct vstr {
	char *s[3]; /* indexed by enum mode */
};

struct vmention {
	struct vstr title, source, via, link;
	int linkable; /* an http(s) link short enough to keep whole */
	double score;
};

struct view {
	const struct alert *a;
	const struct words *w;
	enum incident_kind kind;
	enum incident_state state;
	enum incident_severity severity;
	enum detect_reason reason; /* REASON_POISSON when none was given */
	struct vstr name, url, last_error, event;
	struct vmention top[TOP_MAX];
	size_t ntop;
	struct vstr terms[TERMS_MAX];
	size_t nterms;
	int series[SERIES_LEN];
	int peak;
	int has_emotion; /* and emotion is one of the enum's */
	enum emotion emotion;
	int rumours; /* said of a spike still open, 0 otherwise */
	struct vstr top_author, top_author_profile; /* "" for none */
	/* A spread's first item; its link "" unless http(s) and whole. */
	struct vstr first_source, first_title, first_link;
	char *subject; /* the one-line summary, plain */
};

/*
 * The body, in one of three forms. Untrusted strings reach it already
 * escaped for the form (struct vstr); the wording tables hold none of the
 * characters either markup gives meaning to.
 */
struct out {
	struct buf *b;
	enum mode mode;
};

#define V(o, vs) ((vs).s[(o)->mode])

/* Cleans every string of a into v, with its escapes, and writes the
 * subject line. */
void alert_view_init(struct view *v, const struct alert *a);
void alert_view_clear(struct view *v);

/* s made safe to show: see alert.c. A new string. */
char *alert_clean(const char *s, size_t max);
/* Slack's mrkdwn gives meaning to &, < and > only. */
char *alert_escape_slack(const char *s);

/* The parts of a body, in o's form. */
void alert_summary(struct out *o, const struct view *v);
void alert_mentions(struct out *o, const struct view *v);
void alert_terms(struct out *o, const struct view *v);
/* Eight block heights: the text form of the chart. */
void alert_sparkline(struct buf *b, const struct view *v);

/* The whole body of the email's alternatives. */
void alert_body_text(struct buf *b, const struct view *v);
void alert_body_html(struct buf *b, const struct view *v);

#endif
