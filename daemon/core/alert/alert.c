/*
 * alert.c - the words and bytes of a notification (see alert.h).
 *
 * Every string that came from a feed or from configuration is cleaned once
 * (control characters and line breaks folded away, invalid UTF-8 replaced,
 * length bounded) into a view, together with its HTML and Slack escapes;
 * the email, the JSON payload and the Slack payload are all rendered from
 * that view, so no renderer ever sees raw input.
 */
#include "core/alert/alert.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "core/read/text.h"

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
/* Quoted-printable output never holds "=_", so no line of a part can be
 * mistaken for this boundary. */
#define BOUNDARY "=_vigie-alternative"

enum mode { OUT_TEXT, OUT_HTML, OUT_SLACK };

/* The wording of one language. Formats take their arguments in the same
 * order in every language. */
struct words {
	const char *code;
	const char *severity[2]; /* warning, critical */
	const char *resolved;
	const char *colon; /* after a label */
	const char *what[5]; /* spike, spike worse, source down/up, */
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
	const char *chart; /* peak */
	const char *footer; /* event id */
};

enum { WHAT_SPIKE, WHAT_WORSE, WHAT_DOWN, WHAT_UP };

static const struct words en = {
	.code = "en",
	.severity = { "WARNING", "CRITICAL" },
	.resolved = "resolved",
	.colon = ": ",
	.what = { "spike of negative mentions",
	    "spike of negative mentions, getting worse", "source failing",
	    "source recovered" },
	.decimal = ".",
	.thousands = ",",
	.win_minutes = "the last %d minutes",
	.win_hour = "the last hour",
	.win_hours = "the last %d hours",
	.fired = "%d negative mentions of \xe2\x80\x9c%s\xe2\x80\x9d in %s "
	         "(%d mentions in all), where about %s were expected: %s "
	         "times the usual level.",
	.fired_cold = "%d negative mentions of \xe2\x80\x9c%s\xe2\x80\x9d in "
	              "%s (%d mentions in all).",
	.worse = "The incident is getting worse.",
	.over = "The spike of negative mentions of \xe2\x80\x9c%s\xe2\x80\x9d "
	        "is over: %d in %s, where about %s are expected.",
	.odds = "The odds of this happening by chance alone are %s (p = %s).",
	.odds_tiny = "less than one in a million",
	.odds_about = "about one in %s",
	.cusum = "The count has stayed above the usual level long enough to "
	         "be a lasting rise, not a blip (cumulative sum test).",
	.cold = "There is no history for this watch yet: the count alone "
	        "crossed the alert threshold.",
	.since = "Incident open since %s.",
	.lasted = "The incident lasted from %s to %s.",
	.src_down =
	    "The source \xe2\x80\x9c%s\xe2\x80\x9d failed %d times in a "
	    "row.",
	.src_up = "The source \xe2\x80\x9c%s\xe2\x80\x9d answers again, after "
	          "%d failures in a row.",
	.src_since = "Failing since %s.",
	.address = "Address",
	.last_error = "Last error",
	.top = "Most negative mentions",
	.tone = "tone",
	.untitled = "(untitled)",
	.terms = "Matched terms",
	.chart = "Negative mentions per hour over the last 24 hours, oldest "
	         "first (peak: %d)",
	.footer = "Sent by vigie. Event: %s",
};

/* French typography wants a no-break space before ":" and inside « ». */
#define NBSP "\xc2\xa0"

static const struct words fr = {
	.code = "fr",
	.severity = { "AVERTISSEMENT", "CRITIQUE" },
	.resolved = "r\xc3\xa9solu",
	.colon = " : ",
	.what = { "pic de mentions n\xc3\xa9gatives",
	    "pic de mentions n\xc3\xa9gatives en aggravation",
	    "source en \xc3\xa9"
	    "chec",
	    "source r\xc3\xa9tablie" },
	.decimal = ",",
	.thousands = NBSP,
	.win_minutes = "les %d derni\xc3\xa8res minutes",
	.win_hour = "la derni\xc3\xa8re heure",
	.win_hours = "les %d derni\xc3\xa8res heures",
	.fired = "%d mentions n\xc3\xa9gatives de \xc2\xab" NBSP "%s" NBSP
	         "\xc2\xbb sur %s (%d mentions en tout), alors qu'environ %s "
	         "\xc3\xa9taient attendues" NBSP ": %s fois le niveau "
	         "habituel.",
	.fired_cold = "%d mentions n\xc3\xa9gatives de \xc2\xab" NBSP "%s" NBSP
	              "\xc2\xbb sur %s (%d mentions en tout).",
	.worse = "L'incident s'aggrave.",
	.over = "Le pic de mentions n\xc3\xa9gatives de \xc2\xab" NBSP "%s" NBSP
	        "\xc2\xbb est termin\xc3\xa9" NBSP ": %d sur %s, pour environ "
	        "%s attendues.",
	.odds = "La probabilit\xc3\xa9 que ce soit le seul fait du hasard est "
	        "%s (p = %s).",
	.odds_tiny = "inf\xc3\xa9rieure \xc3\xa0 une chance sur un million",
	.odds_about = "d'environ une chance sur %s",
	.cusum =
	    "Le nombre est rest\xc3\xa9 au-dessus du niveau habituel assez "
	    "longtemps pour \xc3\xaatre une hausse durable, pas un "
	    "accident (test de somme cumul\xc3\xa9"
	    "e).",
	.cold = "Cette veille n'a pas encore d'historique" NBSP ": le nombre "
	        "seul a d\xc3\xa9pass\xc3\xa9 le seuil d'alerte.",
	.since = "Incident ouvert depuis le %s.",
	.lasted = "L'incident a dur\xc3\xa9 du %s au %s.",
	.src_down = "La source \xc2\xab" NBSP "%s" NBSP "\xc2\xbb a \xc3\xa9"
	            "chou\xc3\xa9 %d fois de suite.",
	.src_up = "La source \xc2\xab" NBSP "%s" NBSP "\xc2\xbb r\xc3\xa9pond "
	          "de nouveau, apr\xc3\xa8s %d \xc3\xa9"
	          "checs de suite.",
	.src_since = "En \xc3\xa9"
	             "chec depuis le %s.",
	.address = "Adresse",
	.last_error = "Derni\xc3\xa8re erreur",
	.top = "Mentions les plus n\xc3\xa9gatives",
	.tone = "ton",
	.untitled = "(sans titre)",
	.terms = "Termes trouv\xc3\xa9s",
	.chart = "Mentions n\xc3\xa9gatives par heure sur les derni\xc3\xa8res "
	         "24 heures, de la plus ancienne \xc3\xa0 la plus r\xc3\xa9"
	         "cente (pic" NBSP ": %d)",
	.footer =
	    "Envoy\xc3\xa9 par vigie. \xc3\x89v\xc3\xa9nement" NBSP ": %s",
};

/* One untrusted string, cleaned, in each of the forms a renderer needs. */
struct vstr {
	char *s[3]; /* indexed by enum mode */
};

struct vmention {
	struct vstr title, source, link;
	int linkable; /* an http(s) link short enough to keep whole */
	double score;
};

static const char *const kinds[] = { "spike", "source" };
static const char *const states[] = { "firing", "escalated", "resolved" };
static const char *const severities[] = { "warning", "critical" };
static const char *const reasons[] = { "poisson", "cusum", "cold" };

enum { KIND_SPIKE, KIND_SOURCE };
enum { STATE_FIRING, STATE_ESCALATED, STATE_RESOLVED };
enum { REASON_POISSON, REASON_CUSUM, REASON_COLD };

struct view {
	const struct alert *a;
	const struct words *w;
	size_t kind, state, severity, reason;
	struct vstr name, url, last_error, event;
	struct vmention top[TOP_MAX];
	size_t ntop;
	struct vstr terms[TERMS_MAX];
	size_t nterms;
	int series[SERIES_LEN];
	int peak;
	char *subject; /* the one-line summary, plain */
};

/* Index of s in set; the first entry when s is missing or unknown, so a
 * caller's slip still yields a documented value. */
static size_t
pick(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return i;
	return 0;
}

/*
 * One line of valid UTF-8 out of anything: line breaks and control
 * characters folded away, invalid sequences replaced by U+FFFD (both by
 * text_collapse), C1 controls and bidirectional overrides (which could
 * make a subject read backwards) dropped, and at most max characters, cut
 * at a word boundary when one is near and marked with an ellipsis.
 */
static char *
clean(const char *s, size_t max)
{
	char *c, *out;
	size_t n = 0, cut = 0, space = 0, len;
	const unsigned char *p;

	if (s == NULL)
		return xstrdup("");
	c = text_collapse(s, strlen(s));
	p = (const unsigned char *)c;
	len = strlen(c);
	out = xmalloc(len + 4);
	for (size_t i = 0; i < len;) {
		size_t k = text_utf8_seq(p + i, len - i);
		int drop = (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) ||
		    (k == 3 && p[i] == 0xe2 &&
		        ((p[i + 1] == 0x80 && p[i + 2] >= 0xaa &&
		             p[i + 2] <= 0xae) ||
		            (p[i + 1] == 0x81 && p[i + 2] >= 0xa6 &&
		                p[i + 2] <= 0xa9)));
		int sep = k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9);

		if (k == 0) /* not after text_collapse; never loop forever */
			k = 1;
		if (drop) {
			i += k;
			continue;
		}
		if (n == max - 1 && i + k < len) {
			/* One more would not leave room for the ellipsis. */
			if (space > 0 && cut - space < 30)
				cut = space;
			memcpy(out + cut, "\xe2\x80\xa6", 4);
			free(c);
			return out;
		}
		if (sep || p[i] == ' ') {
			space = cut;
			out[cut++] = ' ';
		} else {
			memcpy(out + cut, p + i, k);
			cut += k;
		}
		n++;
		i += k;
	}
	out[cut] = '\0';
	free(c);
	return out;
}

static char *
escape_html(const char *s)
{
	struct buf b;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(&b, "&amp;");
			break;
		case '<':
			buf_puts(&b, "&lt;");
			break;
		case '>':
			buf_puts(&b, "&gt;");
			break;
		case '"':
			buf_puts(&b, "&quot;");
			break;
		case '\'':
			buf_puts(&b, "&#39;");
			break;
		default:
			buf_putc(&b, *s);
		}
	}
	return buf_release(&b);
}

/* Slack's mrkdwn gives meaning to &, < and > only. */
static char *
escape_slack(const char *s)
{
	struct buf b;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_puts(&b, "&amp;");
		else if (*s == '<')
			buf_puts(&b, "&lt;");
		else if (*s == '>')
			buf_puts(&b, "&gt;");
		else
			buf_putc(&b, *s);
	}
	return buf_release(&b);
}

static void
vstr_set(struct vstr *v, const char *s, size_t max)
{
	v->s[OUT_TEXT] = clean(s, max);
	v->s[OUT_HTML] = escape_html(v->s[OUT_TEXT]);
	v->s[OUT_SLACK] = escape_slack(v->s[OUT_TEXT]);
}

static void
vstr_free(struct vstr *v)
{
	for (size_t i = 0; i < ARRAY_LEN(v->s); i++)
		free(v->s[i]);
}

static int
is_http(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0;
}

static void
view_init(struct view *v, const struct alert *a)
{
	const struct words *w;
	size_t skip = 0;

	memset(v, 0, sizeof *v);
	v->a = a;
	v->w = w = a->lang != NULL && strcmp(a->lang, "fr") == 0 ? &fr : &en;
	v->kind = pick(a->kind, kinds, ARRAY_LEN(kinds));
	v->state = pick(a->state, states, ARRAY_LEN(states));
	v->severity = pick(a->severity, severities, ARRAY_LEN(severities));
	v->reason = pick(a->reason, reasons, ARRAY_LEN(reasons));
	vstr_set(&v->name, a->subject, NAME_MAX_);
	vstr_set(&v->url, a->url, LINK_MAX);
	vstr_set(&v->last_error, a->last_error, TITLE_MAX);
	vstr_set(&v->event, a->event_id, NAME_MAX_);

	for (size_t i = 0; a->top != NULL && i < a->ntop && i < TOP_MAX; i++) {
		struct vmention *m = &v->top[v->ntop++];
		const char *link = a->top[i].link ? a->top[i].link : "";

		vstr_set(&m->title, a->top[i].title, TITLE_MAX);
		vstr_set(&m->source, a->top[i].source, NAME_MAX_);
		vstr_set(&m->link, link, LINK_MAX);
		m->linkable = is_http(m->link.s[OUT_TEXT]) &&
		    strlen(link) <= LINK_MAX &&
		    strchr(m->link.s[OUT_TEXT], ' ') == NULL;
		m->score = isfinite(a->top[i].score) ? a->top[i].score : 0;
	}
	for (size_t i = 0;
	     a->terms != NULL && i < a->nterms && v->nterms < TERMS_MAX; i++)
		vstr_set(&v->terms[v->nterms++], a->terms[i], NAME_MAX_);

	/* Right-aligned: the last value is the current hour. */
	if (a->series != NULL && a->nseries > SERIES_LEN)
		skip = a->nseries - SERIES_LEN;
	for (size_t i = skip; a->series != NULL && i < a->nseries; i++) {
		int n = a->series[i] > 0 ? a->series[i] : 0;

		v->series[SERIES_LEN - (a->nseries - i)] = n;
		if (n > v->peak)
			v->peak = n;
	}

	if (v->state == STATE_RESOLVED)
		v->subject = xasprintf("[vigie] %s%s%s \xe2\x80\x94 %s",
		    w->resolved, w->colon,
		    w->what[v->kind == KIND_SOURCE ? WHAT_UP : WHAT_SPIKE],
		    v->name.s[OUT_TEXT]);
	else
		v->subject = xasprintf("[vigie] %s%s%s \xe2\x80\x94 %s",
		    w->severity[v->severity], w->colon,
		    w->what[v->kind == KIND_SOURCE        ? WHAT_DOWN
		            : v->state == STATE_ESCALATED ? WHAT_WORSE
		                                          : WHAT_SPIKE],
		    v->name.s[OUT_TEXT]);
}

static void
view_free(struct view *v)
{
	vstr_free(&v->name);
	vstr_free(&v->url);
	vstr_free(&v->last_error);
	vstr_free(&v->event);
	for (size_t i = 0; i < v->ntop; i++) {
		vstr_free(&v->top[i].title);
		vstr_free(&v->top[i].source);
		vstr_free(&v->top[i].link);
	}
	for (size_t i = 0; i < v->nterms; i++)
		vstr_free(&v->terms[i]);
	free(v->subject);
}

/* Numbers in the reader's conventions. */
static void
fmt_real(
    char *out, size_t size, const char *fmt, double x, const struct words *w)
{
	char tmp[40], *dot;

	if (!isfinite(x))
		x = 0;
	snprintf(tmp, sizeof tmp, fmt, x);
	dot = strchr(tmp, '.');
	if (dot == NULL)
		snprintf(out, size, "%s", tmp);
	else
		snprintf(out, size, "%.*s%s%s", (int)(dot - tmp), tmp,
		    w->decimal, dot + 1);
}

static void
fmt_grouped(char *out, size_t size, long long n, const struct words *w)
{
	char digits[24];
	struct buf b;
	size_t len;

	snprintf(digits, sizeof digits, "%lld", n);
	len = strlen(digits);
	buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf_puts(&b, w->thousands);
		buf_putc(&b, digits[i]);
	}
	snprintf(out, size, "%s", b.data);
	buf_free(&b);
}

static void
fmt_window(char *out, size_t size, int64_t ms, const struct words *w)
{
	long long min = ms / 60000;

	if (min == 60)
		snprintf(out, size, "%s", w->win_hour);
	else if (min >= 120 && min % 60 == 0)
		snprintf(out, size, w->win_hours, (int)(min / 60));
	else
		snprintf(out, size, w->win_minutes, (int)min);
}

/* "2024-06-04 12:00 UTC": readable in both languages. */
static void
fmt_when(char *out, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(out, size, "?");
	else
		snprintf(out, size, "%04d-%02d-%02d %02d:%02d UTC",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min);
}

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

static void para(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
para(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (o->mode == OUT_HTML)
		buf_printf(o->b, "<p style=\"margin:0 0 10px\">%s</p>\n", s);
	else
		buf_printf(o->b, "%s\n\n", s);
	free(s);
}

/* A label and an untrusted value on a line. */
static void
field(struct out *o, const struct words *w, const char *label,
    const struct vstr *value)
{
	if (V(o, *value)[0] == '\0')
		return;
	if (o->mode == OUT_HTML)
		buf_printf(o->b,
		    "<p style=\"margin:0 0 10px\"><b>%s</b>%s%s"
		    "</p>\n",
		    label, w->colon, V(o, *value));
	else if (o->mode == OUT_SLACK)
		buf_printf(o->b, "*%s*%s%s\n", label, w->colon, V(o, *value));
	else
		buf_printf(o->b, "%s%s%s\n\n", label, w->colon, V(o, *value));
}

/* The sentences every form starts with. */
static void
summary(struct out *o, const struct view *v)
{
	const struct words *w = v->w;
	const struct alert *a = v->a;
	char window[64], expected[64], ratio[64], p[64], odds[128], n[64];
	char started[64], at[64];

	fmt_window(window, sizeof window, a->window_ms, w);
	fmt_real(expected, sizeof expected, "%.1f", a->expected, w);
	fmt_real(ratio, sizeof ratio, "%.1f", a->ratio, w);
	fmt_real(p, sizeof p, "%.2g", a->p, w);
	fmt_when(started, sizeof started, a->started_ms);
	fmt_when(at, sizeof at, a->at_ms);

	if (v->kind == KIND_SOURCE) {
		if (v->state == STATE_RESOLVED) {
			para(o, w->src_up, V(o, v->name), a->failures);
			para(o, w->lasted, started, at);
		} else {
			para(o, w->src_down, V(o, v->name), a->failures);
			para(o, w->src_since, started);
		}
		field(o, w, w->address, &v->url);
		if (v->state != STATE_RESOLVED)
			field(o, w, w->last_error, &v->last_error);
		return;
	}
	if (v->state == STATE_RESOLVED) {
		para(o, w->over, V(o, v->name), a->window_count, window,
		    expected);
		para(o, w->lasted, started, at);
		return;
	}
	if (v->state == STATE_ESCALATED)
		para(o, "%s", w->worse);
	/* With no history, there is no usual level to compare with. */
	if (v->reason == REASON_COLD)
		para(o, w->fired_cold, a->window_count, V(o, v->name), window,
		    a->window_total);
	else
		para(o, w->fired, a->window_count, V(o, v->name), window,
		    a->window_total, expected, ratio);
	if (v->reason == REASON_COLD) {
		para(o, "%s", w->cold);
	} else if (v->reason == REASON_CUSUM) {
		para(o, "%s", w->cusum);
	} else {
		if (!(a->p > 0) || a->p < 1e-6) {
			snprintf(odds, sizeof odds, "%s", w->odds_tiny);
		} else {
			double inv = 1 / a->p;
			double mag = pow(10, floor(log10(inv)) - 1);

			/* Two significant digits: "one in 12,000". */
			fmt_grouped(n, sizeof n,
			    (long long)(mag >= 1 ? round(inv / mag) * mag
			                         : round(inv)),
			    w);
			snprintf(odds, sizeof odds, w->odds_about, n);
		}
		para(o, w->odds, odds, p);
	}
	para(o, w->since, started);
}

static void
mentions(struct out *o, const struct view *v)
{
	const struct words *w = v->w;
	char score[64];

	if (v->ntop == 0)
		return;
	if (o->mode == OUT_HTML)
		buf_printf(o->b,
		    "<h2 style=\"font-size:15px;margin:16px 0 "
		    "8px\">%s</h2>\n<ol style=\"margin:0 0 10px;"
		    "padding-left:24px\">\n",
		    w->top);
	else if (o->mode == OUT_SLACK)
		buf_printf(o->b, "*%s*\n", w->top);
	else
		buf_printf(o->b, "%s:\n", w->top);
	for (size_t i = 0; i < v->ntop; i++) {
		const struct vmention *m = &v->top[i];
		const char *title =
		    V(o, m->title)[0] ? V(o, m->title) : w->untitled;
		size_t mark = o->b->len;

		fmt_real(score, sizeof score, "%+.2f", m->score, w);
		switch (o->mode) {
		case OUT_HTML:
			buf_puts(o->b, "<li style=\"margin:0 0 8px\">");
			if (m->linkable)
				buf_printf(o->b,
				    "<a href=\"%s\" style=\"color:"
				    "#0645ad\">%s</a>",
				    V(o, m->link), title);
			else
				buf_puts(o->b, title);
			buf_printf(o->b,
			    "<br><span style=\"color:#666;"
			    "font-size:13px\">%s \xc2\xb7 %s %s</span></li>\n",
			    V(o, m->source), w->tone, score);
			break;
		case OUT_SLACK:
			if (m->linkable) {
				/* A | would end the address part of the link.
				 */
				buf_puts(o->b, "\xe2\x80\xa2 <");
				for (const char *c = V(o, m->link); *c; c++)
					if (*c == '|')
						buf_puts(o->b, "%7C");
					else
						buf_putc(o->b, *c);
				buf_printf(o->b, "|%s>", title);
			} else
				buf_printf(o->b, "\xe2\x80\xa2 %s", title);
			buf_printf(o->b, " \xe2\x80\x94 %s \xc2\xb7 %s %s\n",
			    V(o, m->source), w->tone, score);
			if (o->b->len > SLACK_BLOCK_MAX) {
				o->b->len = mark;
				o->b->data[mark] = '\0';
				return;
			}
			break;
		case OUT_TEXT:
			buf_printf(o->b, "%zu. %s\n   %s \xc2\xb7 %s %s\n",
			    i + 1, title, V(o, m->source), w->tone, score);
			if (m->linkable)
				buf_printf(o->b, "   %s\n", V(o, m->link));
			break;
		}
	}
	buf_puts(o->b, o->mode == OUT_HTML ? "</ol>\n" : "\n");
}

static void
terms(struct out *o, const struct view *v)
{
	struct buf list;

	if (v->nterms == 0)
		return;
	buf_init(&list);
	for (size_t i = 0; i < v->nterms; i++) {
		if (i > 0)
			buf_puts(&list, ", ");
		buf_puts(&list, V(o, v->terms[i]));
	}
	if (o->mode == OUT_HTML)
		buf_printf(o->b,
		    "<p style=\"margin:0 0 10px\"><b>%s</b>%s%s"
		    "</p>\n",
		    v->w->terms, v->w->colon, list.data);
	else if (o->mode == OUT_SLACK)
		buf_printf(
		    o->b, "*%s*%s%s\n", v->w->terms, v->w->colon, list.data);
	else
		buf_printf(
		    o->b, "%s%s%s\n\n", v->w->terms, v->w->colon, list.data);
	buf_free(&list);
}

/* Eight block heights: the text form of the chart. */
static void
sparkline(struct buf *b, const struct view *v)
{
	for (size_t i = 0; i < SERIES_LEN; i++) {
		int n = v->series[i];
		int level =
		    n == 0 ? 0 : 1 + (n - 1) * 7 / (v->peak > 0 ? v->peak : 1);
		char c[4] = { '\xe2', '\x96',
			(char)(0x81 + (level > 7 ? 7 : level)), 0 };

		buf_puts(b, c);
	}
}

/*
 * The HTML chart is a one-row table of cells holding divs of the right
 * height: mail clients block remote images and strip SVG and stylesheets,
 * but keep inline styles on tables.
 */
static void
chart(struct out *o, const struct view *v)
{
	if (o->mode == OUT_TEXT) {
		buf_printf(o->b, v->w->chart, v->peak);
		buf_puts(o->b, ":\n");
		sparkline(o->b, v);
		buf_puts(o->b, "\n\n");
		return;
	}
	buf_puts(o->b, "<h2 style=\"font-size:15px;margin:16px 0 8px\">");
	buf_printf(o->b, v->w->chart, v->peak);
	buf_puts(o->b,
	    "</h2>\n<table role=\"presentation\" cellpadding=\"0\" "
	    "cellspacing=\"0\" border=\"0\" style=\"border-collapse:"
	    "collapse;border-bottom:1px solid #999\"><tr>\n");
	for (size_t i = 0; i < SERIES_LEN; i++) {
		int n = v->series[i];
		int h = v->peak > 0 ? n * 60 / v->peak : 0;

		buf_printf(o->b,
		    "<td style=\"vertical-align:bottom;height:60px;"
		    "padding:0 1px\"><div title=\"%d\" style=\"width:12px;"
		    "height:%dpx;background:%s;font-size:0;line-height:0\">"
		    "</div></td>\n",
		    n, h > 0 ? h : 1, n > 0 ? "#c0392b" : "#dddddd");
	}
	buf_puts(o->b, "</tr></table>\n");
}

static void
body_text(struct buf *b, const struct view *v)
{
	struct out o = { b, OUT_TEXT };

	buf_printf(b, "%s\n\n", v->subject);
	summary(&o, v);
	if (v->kind == KIND_SPIKE) {
		mentions(&o, v);
		terms(&o, v);
		chart(&o, v);
	}
	buf_puts(b, "-- \n");
	buf_printf(b, v->w->footer, V(&o, v->event));
	buf_putc(b, '\n');
}

static void
body_html(struct buf *b, const struct view *v)
{
	struct out o = { b, OUT_HTML };
	char *subject = escape_html(v->subject);

	buf_printf(b,
	    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta "
	    "charset=\"utf-8\"><title>%s</title></head>\n<body "
	    "style=\"margin:0;padding:16px;font-family:Arial,"
	    "Helvetica,sans-serif;font-size:14px;color:#222222;"
	    "background:#ffffff\">\n<h1 style=\"font-size:18px;"
	    "margin:0 0 12px;color:%s\">%s</h1>\n",
	    v->w->code, subject,
	    v->state == STATE_RESOLVED ? "#1e7e34"
	        : v->severity == 1     ? "#b00020"
	                               : "#b35900",
	    subject);
	free(subject);
	summary(&o, v);
	if (v->kind == KIND_SPIKE) {
		mentions(&o, v);
		terms(&o, v);
		chart(&o, v);
	}
	buf_puts(b,
	    "<p style=\"margin:16px 0 0;color:#666666;font-size:"
	    "12px\">");
	buf_printf(b, v->w->footer, V(&o, v->event));
	buf_puts(b, "</p>\n</body></html>\n");
}

/*
 * Quoted-printable (RFC 2045 6.7): LF in, CRLF out, lines at most 76
 * characters with soft breaks, trailing blanks encoded so no transport
 * strips them.
 */
static void
put_qp(struct buf *b, const char *s)
{
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int eol = p[1] == '\n' || p[1] == '\0';
		char enc[4];
		size_t n = 1;

		if (*p == '\n') {
			buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && !eol))
			enc[0] = (char)*p;
		else
			n = (size_t)snprintf(enc, sizeof enc, "=%02X", *p);
		/* A soft break needs its own column for the "=". */
		if (col + n > (eol ? QP_WIDTH : QP_WIDTH - 1)) {
			buf_puts(b, "=\r\n");
			col = 0;
		}
		buf_append(b, enc, n);
		col += n;
	}
}

/* A header being written, folded at HDR_WIDTH. */
struct hdr {
	struct buf *b;
	size_t col, start;
};

static void
hdr_begin(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_printf(b, "%s:", name);
	h->col = h->start = strlen(name) + 1;
}

static void
hdr_word(struct hdr *h, const char *w, size_t len)
{
	if (h->col > h->start && h->col + 1 + len > HDR_WIDTH) {
		buf_puts(h->b, "\r\n ");
		h->col = 1;
	} else {
		buf_putc(h->b, ' ');
		h->col++;
	}
	buf_append(h->b, w, len);
	h->col += len;
}

static void
hdr_end(struct hdr *h)
{
	buf_puts(h->b, "\r\n");
}

/* ASCII whatever the locale. */
static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext: what a display-name word may hold unquoted. */
static int
is_atext(int c)
{
	return c != '\0' && (is_alnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Whether a word can stand as it is: short printable ASCII that no
 * decoder could take for an encoded-word (nor, in a phrase, for syntax). */
static int
word_plain(const char *w, size_t n, int phrase)
{
	if (n > WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c < 0x21 || c > 0x7e || (phrase && !is_atext(c)))
			return 0;
		if (c == '=' && i + 1 < n && w[i + 1] == '?')
			return 0;
	}
	return 1;
}

/* RFC 2047 B encoded-words, split between characters, never longer than
 * WORD_MAX. */
static void
hdr_encoded(struct hdr *h, const char *s, size_t len)
{
	unsigned char b64[4 * ((EW_BYTES + 2) / 3) + 1];
	char word[WORD_MAX + 1];

	while (len > 0) {
		size_t n = len < EW_BYTES ? len : EW_BYTES;
		int k;

		while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		if (n == 0) /* not after clean(); still, always progress */
			n = len < EW_BYTES ? len : EW_BYTES;
		EVP_EncodeBlock(b64, (const unsigned char *)s, (int)n);
		k = snprintf(word, sizeof word, "=?UTF-8?B?%s?=", b64);
		hdr_word(h, word, (size_t)k);
		s += n;
		len -= n;
	}
}

/*
 * Clean text as header words: plain words stay readable, and each run of
 * words that cannot be plain becomes encoded-words, the spaces inside the
 * run encoded with it (a decoder drops the white space between two
 * encoded-words but keeps it next to a plain word).
 */
static void
hdr_text(struct hdr *h, const char *s, int phrase)
{
	while (*s != '\0') {
		const char *e = strchrnul(s, ' ');
		const char *r = e;

		if (e == s) {
			s++;
			continue;
		}
		if (word_plain(s, (size_t)(e - s), phrase)) {
			hdr_word(h, s, (size_t)(e - s));
			s = e;
			continue;
		}
		while (*r == ' ') {
			const char *n = r + 1, *ne = strchrnul(n, ' ');

			if (ne == n || word_plain(n, (size_t)(ne - n), phrase))
				break;
			r = ne;
		}
		hdr_encoded(h, s, (size_t)(r - s));
		s = r;
	}
}

/* A dot-atom (RFC 5322 3.2.3); a domain holds letters, digits and
 * hyphens only. */
static int
dot_atom(const char *p, const char *end, int domain)
{
	if (p == end || *p == '.' || end[-1] == '.')
		return 0;
	for (; p < end; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return 0;
		} else if (domain ? !(is_alnum(*p) || *p == '-')
		                  : !is_atext((unsigned char)*p))
			return 0;
	}
	return 1;
}

/* The only address form vigie writes into a header. */
static int
addr_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t len = strlen(s);

	return at != NULL && len <= 254 && dot_atom(s, at, 0) &&
	    dot_atom(at + 1, s + len, 1);
}

/* "Name <addr>" or "addr" into the header; -1 when the address is not
 * one vigie can write. */
static int
hdr_mailbox(struct hdr *h, const char *s, int comma)
{
	const char *lt = strrchr(s, '<');
	size_t len = strlen(s);
	char *name, *addr, *tok;
	int rc = 0;

	if (lt != NULL && len > 0 && s[len - 1] == '>') {
		name = xstrndup(s, (size_t)(lt - s));
		addr = xstrndup(lt + 1, len - (size_t)(lt - s) - 2);
	} else {
		name = xstrdup("");
		addr = xstrdup(s);
	}
	if (!addr_ok(addr)) {
		rc = -1;
	} else {
		char *n = clean(name, NAME_MAX_);
		size_t nl = strlen(n);

		/* A quoted display name is the same name unquoted. */
		if (nl >= 2 && n[0] == '"' && n[nl - 1] == '"') {
			memmove(n, n + 1, nl - 2);
			n[nl - 2] = '\0';
		}
		hdr_text(h, n, 1);
		tok =
		    xasprintf(n[0] ? "<%s>%s" : "%s%s", addr, comma ? "," : "");
		hdr_word(h, tok, strlen(tok));
		free(tok);
		free(n);
	}
	free(name);
	free(addr);
	return rc;
}

/* Only the characters no Message-ID parser trips on. */
static void
put_id_part(struct buf *b, const char *s, const char *extra, const char *dflt)
{
	size_t start = b->len;

	for (; *s != '\0' && b->len - start < 128; s++)
		if (is_alnum(*s) || strchr(extra, *s))
			buf_putc(b, *s);
		else
			buf_putc(b, '-');
	if (b->len == start)
		buf_puts(b, dflt);
}

static void
put_date(struct buf *b, int64_t ms)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	/* English names whatever the locale, as RFC 5322 3.3 requires. */
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *
alert_email(const struct alert *a, const char *from, const char *const *to,
    size_t nto, const char *message_id_domain)
{
	struct view v;
	struct buf b, part;
	struct hdr h;
	int bad;

	view_init(&v, a);
	buf_init(&b);
	buf_init(&part);

	hdr_begin(&h, &b, "From");
	bad = from == NULL || nto == 0 || hdr_mailbox(&h, from, 0) < 0;
	hdr_end(&h);
	hdr_begin(&h, &b, "To");
	for (size_t i = 0; !bad && i < nto; i++)
		bad |= to[i] == NULL || hdr_mailbox(&h, to[i], i + 1 < nto) < 0;
	hdr_end(&h);
	if (bad) {
		buf_free(&b);
		view_free(&v);
		return NULL;
	}
	hdr_begin(&h, &b, "Subject");
	hdr_text(&h, v.subject, 0);
	hdr_end(&h);
	put_date(&b, a->at_ms);
	/* Stable per event, so a second delivery reads as a duplicate. */
	buf_puts(&b, "Message-ID: <");
	put_id_part(&b, a->event_id ? a->event_id : "", "_", "event");
	buf_putc(&b, '@');
	put_id_part(
	    &b, message_id_domain ? message_id_domain : "", ".", "localhost");
	buf_puts(&b, ">\r\n");
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	/* RFC 3834: no vacation replies to an alert. */
	buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
	buf_puts(&b,
	    "Content-Type: multipart/alternative;\r\n boundary=\"" BOUNDARY
	    "\"\r\n\r\n");

	buf_puts(&b,
	    "--" BOUNDARY "\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n");
	body_text(&part, &v);
	put_qp(&b, part.data);
	buf_free(&part);
	buf_puts(&b,
	    "\r\n--" BOUNDARY "\r\nContent-Type: text/html; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n");
	body_html(&part, &v);
	put_qp(&b, part.data);
	buf_free(&part);
	buf_puts(&b, "\r\n--" BOUNDARY "--\r\n");
	view_free(&v);
	return buf_release(&b);
}

static void
set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, json_string(s));
}

static void
set_time(json_t *o, const char *key, int64_t ms)
{
	char when[DATE_RFC3339_LEN];

	date_format_rfc3339(ms / 1000, when);
	set_str(o, key, when);
}

/* Not a number is not JSON: an undefined figure is null. */
static void
set_real(json_t *o, const char *key, double x)
{
	json_object_set_new(o, key, isfinite(x) ? json_real(x) : json_null());
}

static json_t *
payload_json(const struct view *v)
{
	const struct alert *a = v->a;
	json_t *o = json_object(), *list;

	json_object_set_new(o, "version", json_integer(WEBHOOK_VERSION));
	set_str(o, "event_id", v->event.s[OUT_TEXT]);
	set_str(o, "kind", kinds[v->kind]);
	set_str(o, "state", states[v->state]);
	set_str(o, "severity", severities[v->severity]);
	set_str(o, "subject", v->subject);
	set_str(o, v->kind == KIND_SOURCE ? "source" : "watch",
	    v->name.s[OUT_TEXT]);
	set_str(o, "lang", v->w->code);
	set_time(o, "at", a->at_ms);
	set_time(o, "started_at", a->started_ms);
	if (v->kind == KIND_SOURCE) {
		set_str(o, "url", v->url.s[OUT_TEXT]);
		json_object_set_new(o, "failures", json_integer(a->failures));
		set_str(o, "last_error", v->last_error.s[OUT_TEXT]);
		return o;
	}
	json_object_set_new(o, "window_count", json_integer(a->window_count));
	json_object_set_new(o, "window_total", json_integer(a->window_total));
	set_real(o, "expected", a->expected);
	set_real(o, "ratio", a->ratio);
	set_real(o, "p_value", a->p);
	json_object_set_new(
	    o, "window_seconds", json_integer(a->window_ms / 1000));
	set_str(o, "reason", reasons[v->reason]);
	list = json_array();
	for (size_t i = 0; i < v->ntop; i++) {
		const struct vmention *m = &v->top[i];
		json_t *e = json_object();

		set_str(e, "title", m->title.s[OUT_TEXT]);
		set_str(e, "source", m->source.s[OUT_TEXT]);
		set_str(e, "link", m->link.s[OUT_TEXT]);
		set_real(e, "score", m->score);
		json_array_append_new(list, e);
	}
	json_object_set_new(o, "top_mentions", list);
	list = json_array();
	for (size_t i = 0; i < v->nterms; i++)
		json_array_append_new(
		    list, json_string(v->terms[i].s[OUT_TEXT]));
	json_object_set_new(o, "terms", list);
	list = json_array();
	for (size_t i = 0; i < SERIES_LEN; i++)
		json_array_append_new(list, json_integer(v->series[i]));
	json_object_set_new(o, "series", list);
	return o;
}

/* Takes the text of b, without the paragraph breaks at its end. */
static void
slack_section(json_t *blocks, struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
	json_array_append_new(blocks,
	    json_pack("{s:s, s:{s:s, s:s}}", "type", "section", "text", "type",
	        "mrkdwn", "text", b->data));
	buf_free(b);
}

/* Slack's incoming-webhook shape: "text" for notifications and for the
 * chat tools that read nothing else, blocks for Slack itself. */
static json_t *
payload_slack(const struct view *v)
{
	json_t *o = json_object(), *blocks = json_array();
	char *subject = escape_slack(v->subject);
	struct buf b;
	struct out out = { &b, OUT_SLACK };

	set_str(o, "text", subject);
	buf_init(&b);
	buf_printf(&b, "*%s*\n", subject);
	summary(&out, v);
	slack_section(blocks, &b);
	if (v->kind == KIND_SPIKE && v->ntop > 0) {
		mentions(&out, v);
		slack_section(blocks, &b);
	}
	if (v->kind == KIND_SPIKE) {
		terms(&out, v);
		buf_putc(&b, '`');
		sparkline(&b, v);
		buf_puts(&b, "`");
		slack_section(blocks, &b);
	}
	buf_printf(&b, v->w->footer, v->event.s[OUT_SLACK]);
	json_array_append_new(blocks,
	    json_pack("{s:s, s:[{s:s, s:s}]}", "type", "context", "elements",
	        "type", "mrkdwn", "text", b.data));
	buf_free(&b);
	json_object_set_new(o, "blocks", blocks);
	free(subject);
	return o;
}

char *
alert_webhook(const struct alert *a, enum webhook_format format)
{
	struct view v;
	json_t *o;
	char *s;

	view_init(&v, a);
	o = format == WEBHOOK_SLACK ? payload_slack(&v) : payload_json(&v);
	s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6))
	              : NULL;
	json_decref(o);
	view_free(&v);
	return s;
}

int
alert_sign(const void *key, size_t keylen, const char *body, size_t len,
    char out[ALERT_SIGN_LEN])
{
	/* HMAC() reads a NULL key as "reuse the last one". */
	static const unsigned char empty[1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *p = out;

	out[0] = '\0';
	if (keylen > INT_MAX ||
	    HMAC(EVP_sha256(), keylen > 0 ? key : empty, (int)keylen,
	        (const unsigned char *)body, len, md, &mdlen) == NULL ||
	    mdlen != 32)
		return -1;
	p += snprintf(p, ALERT_SIGN_LEN, "sha256=");
	for (unsigned int i = 0; i < mdlen; i++)
		p += snprintf(p, 3, "%02x", md[i]);
	return 0;
}
