/*
 * alert.c - the words and bytes of a notification (see alert.h).
 *
 * Every string that came from a feed or from configuration is cleaned once
 * (control characters and line breaks folded away, invalid UTF-8 replaced,
 * length bounded) into a view, together with its HTML and Slack escapes;
 * the email, the JSON payload and the Slack payload are all rendered from
 * that view, so no renderer ever sees raw input. The email is written in
 * alert_email.c, the webhook payloads in alert_webhook.c, the signature in
 * alert_sign.c.
 */
#include "core/alert/alert_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/base/escape.h"
#include "core/base/utf8.h"
#include "core/read/text.h"

static const struct words en = {
	.code = "en",
	.severity = { "WARNING", "CRITICAL" },
	.resolved = "resolved",
	.colon = ": ",
	.what = { "spike of negative mentions",
	    "spike of negative mentions, getting worse", "source failing",
	    "source recovered", "story spreading" },
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
	.emotion = "Dominant emotion",
	.rumour_tag = "rumour",
	.rumour_label = "RUMOUR",
	.rumours_one = "%d of these negative mentions spreads a rumour "
	               "(hearsay, calls to share before deletion): check the "
	               "facts before answering.",
	.rumours_many = "%d of these negative mentions spread a rumour "
	                "(hearsay, calls to share before deletion): check the "
	                "facts before answering.",
	.top_author = "Most-heard author",
	.followers = "%s followers",
	.chart = "Negative mentions per hour over the last 24 hours, oldest "
	         "first (peak: %d)",
	.footer = "Sent by vigie. Event: %s",
	.spread =
	    "One story about \xe2\x80\x9c%s\xe2\x80\x9d was taken up by %d "
	    "different sites or accounts within %s (%d in all so far, "
	    "in %d mentions).",
	.spread_over = "The story about \xe2\x80\x9c%s\xe2\x80\x9d has gone "
	               "quiet: no new mention for %s. %d sites or accounts "
	               "took it up, in %d mentions.",
	.span_minute = "one minute",
	.span_minutes = "%d minutes",
	.span_hour = "one hour",
	.span_hours = "%d hours",
	.first_seen = "First seen on \xe2\x80\x9c%s\xe2\x80\x9d at %s: %s",
	.link = "Link",
	.spread_check = "A story taken up this widely, this fast, may be a "
	                "rumour or a fake news going viral: check the facts "
	                "before it goes further.",
	.seen = "Where it was taken up, in order",
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
	    "source r\xc3\xa9tablie", "sujet qui se propage" },
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
	.emotion = "\xc3\x89motion dominante",
	.rumour_tag = "rumeur",
	.rumour_label = "RUMEUR",
	.rumours_one =
	    "%d de ces mentions n\xc3\xa9gatives relaie une rumeur "
	    "(ou\xc3\xaf-dire, appels \xc3\xa0 partager avant "
	    "suppression)" NBSP ": v\xc3\xa9rifiez les faits avant de "
	    "r\xc3\xa9pondre.",
	.rumours_many = "%d de ces mentions n\xc3\xa9gatives relaient une "
	                "rumeur (ou\xc3\xaf-dire, appels \xc3\xa0 partager "
	                "avant suppression)" NBSP ": v\xc3\xa9rifiez les faits "
	                "avant de r\xc3\xa9pondre.",
	.top_author = "Auteur le plus entendu",
	.followers = "%s abonn\xc3\xa9s",
	.chart = "Mentions n\xc3\xa9gatives par heure sur les derni\xc3\xa8res "
	         "24 heures, de la plus ancienne \xc3\xa0 la plus r\xc3\xa9"
	         "cente (pic" NBSP ": %d)",
	.footer =
	    "Envoy\xc3\xa9 par vigie. \xc3\x89v\xc3\xa9nement" NBSP ": %s",
	.spread = "Un m\xc3\xaame sujet concernant \xc2\xab" NBSP "%s" NBSP
	          "\xc2\xbb a \xc3\xa9t\xc3\xa9 repris par %d sites ou comptes "
	          "diff\xc3\xa9rents en %s (%d en tout jusqu'ici, en %d "
	          "mentions).",
	.spread_over = "Le sujet concernant \xc2\xab" NBSP "%s" NBSP "\xc2\xbb "
	               "est retomb\xc3\xa9" NBSP ": aucune nouvelle mention "
	               "depuis %s. %d sites ou comptes l'ont repris, en %d "
	               "mentions.",
	.span_minute = "une minute",
	.span_minutes = "%d minutes",
	.span_hour = "une heure",
	.span_hours = "%d heures",
	.first_seen = "Vu d'abord sur \xc2\xab" NBSP "%s" NBSP "\xc2\xbb le "
	              "%s" NBSP ": %s",
	.link = "Lien",
	.spread_check =
	    "Un sujet repris aussi largement, aussi vite, peut "
	    "\xc3\xaatre une rumeur ou une fausse information qui "
	    "devient virale" NBSP ": v\xc3\xa9rifiez les faits avant "
	    "qu'il n'aille plus loin.",
	.seen = "O\xc3\xb9 il a \xc3\xa9t\xc3\xa9 repris, dans l'ordre",
};

/* Index of s in set; the first entry when s is missing or unknown, so a
 * caller's slip still yields a documented value. */
/*
 * One line of valid UTF-8 out of anything: line breaks and control
 * characters folded away, invalid sequences replaced by U+FFFD (both by
 * text_collapse), C1 controls and bidirectional overrides (which could
 * make a subject read backwards) dropped, and at most max characters, cut
 * at a word boundary when one is near and marked with an ellipsis.
 */
char *
alert_clean(const char *s, size_t max)
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
		size_t k = utf8_char_len(p + i, len - i);
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

/* s with the characters HTML gives meaning to escaped. A new string. */
static char *
alert_escape_html(const char *s)
{
	struct buf b;

	buf_init(&b);
	esc_html(&b, s);
	return buf_release(&b);
}

/* Slack's mrkdwn gives meaning to &, < and > only. */
char *
alert_escape_slack(const char *s)
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
	v->s[OUT_TEXT] = alert_clean(s, max);
	v->s[OUT_HTML] = alert_escape_html(v->s[OUT_TEXT]);
	v->s[OUT_SLACK] = alert_escape_slack(v->s[OUT_TEXT]);
}

static void
vstr_clear(struct vstr *v)
{
	for (size_t i = 0; i < ARRAY_LEN(v->s); i++)
		free(v->s[i]);
}

void
alert_view_init(struct view *v, const struct alert *a)
{
	const struct words *w;
	size_t skip = 0;

	memset(v, 0, sizeof *v);
	v->a = a;
	v->w = w = a->lang != NULL && strcmp(a->lang, "fr") == 0 ? &fr : &en;
	v->kind = a->kind;
	v->state = a->state;
	v->severity = a->severity;
	/* A spike always has a reason; one rendered without says it was
	 * improbable, the plainest of them. */
	v->reason = a->reason == REASON_NONE ? REASON_POISSON : a->reason;
	vstr_set(&v->name, a->subject, NAME_MAX_);
	vstr_set(&v->url, a->url, LINK_MAX);
	vstr_set(&v->last_error, a->last_error, TITLE_MAX);
	vstr_set(&v->event, a->event_id, NAME_MAX_);

	for (size_t i = 0; a->top != NULL && i < a->ntop && i < TOP_MAX; i++) {
		struct vmention *m = &v->top[v->ntop++];
		const char *link = a->top[i].link ? a->top[i].link : "";

		vstr_set(&m->title, a->top[i].title, TITLE_MAX);
		vstr_set(&m->source, a->top[i].source, NAME_MAX_);
		vstr_set(&m->via, a->top[i].via, NAME_MAX_);
		vstr_set(&m->link, link, LINK_MAX);
		m->linkable = esc_link_ok(m->link.s[OUT_TEXT]) &&
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

	vstr_set(&v->top_author, a->top_author ? a->top_author : "", NAME_MAX_);
	vstr_set(&v->top_author_profile,
	    a->top_author_profile && esc_link_ok(a->top_author_profile) &&
	            strlen(a->top_author_profile) <= LINK_MAX
	        ? a->top_author_profile
	        : "",
	    LINK_MAX);
	vstr_set(&v->first_source, a->first_source ? a->first_source : "",
	    NAME_MAX_);
	vstr_set(
	    &v->first_title, a->first_title ? a->first_title : "", TITLE_MAX);
	vstr_set(&v->first_link,
	    a->first_link && esc_link_ok(a->first_link) &&
	            strlen(a->first_link) <= LINK_MAX
	        ? a->first_link
	        : "",
	    LINK_MAX);
	v->has_emotion = a->has_emotion && (unsigned)a->emotion < EMOTION_COUNT;
	v->emotion = a->emotion;
	/* A rumour calls for an answer of its own: the subject says so,
	 * where it is seen first. */
	v->rumours = v->kind == INCIDENT_SPIKE &&
	        v->state != INCIDENT_RESOLVED && a->rumours > 0
	    ? a->rumours
	    : 0;
	if (v->state == INCIDENT_RESOLVED)
		v->subject = xasprintf("[vigie] %s%s%s \xe2\x80\x94 %s",
		    w->resolved, w->colon,
		    w->what[v->kind == INCIDENT_SOURCE   ? WHAT_UP
		            : v->kind == INCIDENT_SPREAD ? WHAT_SPREAD
		                                         : WHAT_SPIKE],
		    v->name.s[OUT_TEXT]);
	else
		v->subject = xasprintf("[vigie] %s%s%s%s%s%s \xe2\x80\x94 %s",
		    w->severity[v->severity], w->colon,
		    w->what[v->kind == INCIDENT_SOURCE       ? WHAT_DOWN
		            : v->kind == INCIDENT_SPREAD     ? WHAT_SPREAD
		            : v->state == INCIDENT_ESCALATED ? WHAT_WORSE
		                                             : WHAT_SPIKE],
		    v->rumours ? " (" : "", v->rumours ? w->rumour_tag : "",
		    v->rumours ? ")" : "", v->name.s[OUT_TEXT]);
}

void
alert_view_clear(struct view *v)
{
	vstr_clear(&v->name);
	vstr_clear(&v->url);
	vstr_clear(&v->last_error);
	vstr_clear(&v->event);
	vstr_clear(&v->top_author);
	vstr_clear(&v->top_author_profile);
	vstr_clear(&v->first_source);
	vstr_clear(&v->first_title);
	vstr_clear(&v->first_link);
	for (size_t i = 0; i < v->ntop; i++) {
		vstr_clear(&v->top[i].title);
		vstr_clear(&v->top[i].source);
		vstr_clear(&v->top[i].via);
		vstr_clear(&v->top[i].link);
	}
	for (size_t i = 0; i < v->nterms; i++)
		vstr_clear(&v->terms[i]);
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
	buf_clear(&b);
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

/* A length of time on its own: "one hour", "90 minutes". */
static void
fmt_span(char *out, size_t size, int64_t ms, const struct words *w)
{
	long long min = ms / 60000;

	if (min == 1)
		snprintf(out, size, "%s", w->span_minute);
	else if (min == 60)
		snprintf(out, size, "%s", w->span_hour);
	else if (min >= 120 && min % 60 == 0)
		snprintf(out, size, w->span_hours, (int)(min / 60));
	else
		snprintf(out, size, w->span_minutes, (int)min);
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

/* A label and a value on a line, the value already in o's form. */
static void
field(
    struct out *o, const struct words *w, const char *label, const char *value)
{
	if (value[0] == '\0')
		return;
	if (o->mode == OUT_HTML)
		buf_printf(o->b,
		    "<p style=\"margin:0 0 10px\"><b>%s</b>%s%s"
		    "</p>\n",
		    label, w->colon, value);
	else if (o->mode == OUT_SLACK)
		buf_printf(o->b, "*%s*%s%s\n", label, w->colon, value);
	else
		buf_printf(o->b, "%s%s%s\n\n", label, w->colon, value);
}

/* What the window's negative mentions feel and spread. The names of the
 * emotions and the wording hold no character either markup gives
 * meaning to. */
static void
judgement(struct out *o, const struct view *v)
{
	const struct words *w = v->w;
	char *s;

	if (v->rumours > 0) {
		s = xasprintf(
		    v->rumours == 1 ? w->rumours_one : w->rumours_many,
		    v->rumours);
		field(o, w, w->rumour_label, s);
		free(s);
	}
	if (v->has_emotion)
		field(o, w, w->emotion, emotion_label(v->emotion, w->code));
	if (V(o, v->top_author)[0] != '\0') {
		const struct alert *a = v->a;
		char n[64], *aud = NULL;

		if (a->top_author_followers >= 0) {
			fmt_grouped(n, sizeof n, a->top_author_followers, w);
			aud = xasprintf(w->followers, n);
		}
		s = xasprintf("%s%s%s%s%s%s", V(o, v->top_author),
		    aud ? " (" : "", aud ? aud : "", aud ? ")" : "",
		    V(o, v->top_author_profile)[0] ? " " : "",
		    V(o, v->top_author_profile));
		field(o, w, w->top_author, s);
		free(s);
		free(aud);
	}
}

/* A story spreading: how far and how fast, where it started, and what
 * to do about it. */
static void
spread_summary(
    struct out *o, const struct view *v, const char *started, const char *at)
{
	const struct words *w = v->w;
	const struct alert *a = v->a;
	char span[64], first[64];
	const char *title, *link = V(o, v->first_link);

	fmt_span(span, sizeof span, a->window_ms, w);
	if (v->state == INCIDENT_RESOLVED) {
		para(o, w->spread_over, V(o, v->name), span, a->sites,
		    a->mentions);
		para(o, w->lasted, started, at);
		return;
	}
	para(o, w->spread, V(o, v->name), a->window_count, span, a->sites,
	    a->mentions);
	if (V(o, v->first_source)[0] != '\0') {
		title = V(o, v->first_title)[0] ? V(o, v->first_title)
		                                : w->untitled;
		fmt_when(first, sizeof first, a->first_ms);
		para(o, w->first_seen, V(o, v->first_source), first, title);
	}
	if (link[0] != '\0' && o->mode == OUT_HTML) {
		char *a_link = xasprintf("<a href=\"%s\" style=\"color:"
		                         "#0645ad\">%s</a>",
		    link, link);

		field(o, w, w->link, a_link);
		free(a_link);
	} else {
		field(o, w, w->link, link);
	}
	para(o, "%s", w->spread_check);
	para(o, w->since, started);
}

/* The sentences every form starts with. */
void
alert_summary(struct out *o, const struct view *v)
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

	if (v->kind == INCIDENT_SOURCE) {
		if (v->state == INCIDENT_RESOLVED) {
			para(o, w->src_up, V(o, v->name), a->failures);
			para(o, w->lasted, started, at);
		} else {
			para(o, w->src_down, V(o, v->name), a->failures);
			para(o, w->src_since, started);
		}
		field(o, w, w->address, V(o, v->url));
		if (v->state != INCIDENT_RESOLVED)
			field(o, w, w->last_error, V(o, v->last_error));
		return;
	}
	if (v->kind == INCIDENT_SPREAD) {
		spread_summary(o, v, started, at);
		return;
	}
	if (v->state == INCIDENT_RESOLVED) {
		para(o, w->over, V(o, v->name), a->window_count, window,
		    expected);
		para(o, w->lasted, started, at);
		return;
	}
	if (v->state == INCIDENT_ESCALATED)
		para(o, "%s", w->worse);
	/* With no history, there is no usual level to compare with. */
	if (v->reason == REASON_COLD)
		para(o, w->fired_cold, a->window_count, V(o, v->name), window,
		    a->window_total);
	else
		para(o, w->fired, a->window_count, V(o, v->name), window,
		    a->window_total, expected, ratio);
	judgement(o, v);
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

void
alert_mentions(struct out *o, const struct view *v)
{
	const struct words *w = v->w;
	/* A spread's list is where it was taken up, not its worst. */
	const char *heading = v->kind == INCIDENT_SPREAD ? w->seen : w->top;
	char score[64];

	if (v->ntop == 0)
		return;
	if (o->mode == OUT_HTML)
		buf_printf(o->b,
		    "<h2 style=\"font-size:15px;margin:16px 0 "
		    "8px\">%s</h2>\n<ol style=\"margin:0 0 10px;"
		    "padding-left:24px\">\n",
		    heading);
	else if (o->mode == OUT_SLACK)
		buf_printf(o->b, "*%s*\n", heading);
	else
		buf_printf(o->b, "%s:\n", heading);
	for (size_t i = 0; i < v->ntop; i++) {
		const struct vmention *m = &v->top[i];
		const char *title =
		    V(o, m->title)[0] ? V(o, m->title) : w->untitled;
		size_t mark = o->b->len;
		/* The publisher of what an alert relays: "Google Alert -
		 * Acme (lemonde.fr)" says who spoke, the source alone not. */
		const char *site = V(o, m->via), *open = site[0] ? " (" : "",
		           *close = site[0] ? ")" : "";

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
			    "font-size:13px\">%s%s%s%s \xc2\xb7 %s %s</span></li>\n",
			    V(o, m->source), open, site, close, w->tone, score);
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
			buf_printf(o->b,
			    " \xe2\x80\x94 %s%s%s%s \xc2\xb7 %s %s\n",
			    V(o, m->source), open, site, close, w->tone, score);
			if (o->b->len > SLACK_BLOCK_MAX) {
				o->b->len = mark;
				o->b->data[mark] = '\0';
				return;
			}
			break;
		case OUT_TEXT:
			buf_printf(o->b,
			    "%zu. %s\n   %s%s%s%s \xc2\xb7 %s %s\n", i + 1,
			    title, V(o, m->source), open, site, close, w->tone,
			    score);
			if (m->linkable)
				buf_printf(o->b, "   %s\n", V(o, m->link));
			break;
		}
	}
	buf_puts(o->b, o->mode == OUT_HTML ? "</ol>\n" : "\n");
}

void
alert_terms(struct out *o, const struct view *v)
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
	buf_clear(&list);
}

/* Eight block heights: the text form of the chart. */
void
alert_sparkline(struct buf *b, const struct view *v)
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
		alert_sparkline(o->b, v);
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

void
alert_body_text(struct buf *b, const struct view *v)
{
	struct out o = { b, OUT_TEXT };

	buf_printf(b, "%s\n\n", v->subject);
	alert_summary(&o, v);
	if (v->kind == INCIDENT_SPIKE) {
		alert_mentions(&o, v);
		alert_terms(&o, v);
		chart(&o, v);
	} else if (v->kind == INCIDENT_SPREAD) {
		alert_mentions(&o, v);
	}
	buf_puts(b, "-- \n");
	buf_printf(b, v->w->footer, V(&o, v->event));
	buf_putc(b, '\n');
}

void
alert_body_html(struct buf *b, const struct view *v)
{
	struct out o = { b, OUT_HTML };
	char *subject = alert_escape_html(v->subject);

	buf_printf(b,
	    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta "
	    "charset=\"utf-8\"><title>%s</title></head>\n<body "
	    "style=\"margin:0;padding:16px;font-family:Arial,"
	    "Helvetica,sans-serif;font-size:14px;color:#222222;"
	    "background:#ffffff\">\n<h1 style=\"font-size:18px;"
	    "margin:0 0 12px;color:%s\">%s</h1>\n",
	    v->w->code, subject,
	    v->state == INCIDENT_RESOLVED          ? "#1e7e34"
	        : v->severity == SEVERITY_CRITICAL ? "#b00020"
	                                           : "#b35900",
	    subject);
	free(subject);
	alert_summary(&o, v);
	if (v->kind == INCIDENT_SPIKE) {
		alert_mentions(&o, v);
		alert_terms(&o, v);
		chart(&o, v);
	} else if (v->kind == INCIDENT_SPREAD) {
		alert_mentions(&o, v);
	}
	buf_puts(b,
	    "<p style=\"margin:16px 0 0;color:#666666;font-size:"
	    "12px\">");
	buf_printf(b, v->w->footer, V(&o, v->event));
	buf_puts(b, "</p>\n</body></html>\n");
}
