/*
 * test_alert.c - notification content: header encoding and folding, header
 * injection from feed text, MIME structure, HTML and Slack escaping, the
 * two languages, firing and resolved wording, webhook JSON, HMAC vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert/alert.h"

#define T_AT INT64_C(1717502400000) /* 2024-06-04T12:00:00Z */
#define BOUNDARY "=_vigie-alternative"

static const struct alert_mention mentions[] = {
	{ "x\r\nBcc: evil@example.com", "Daily News",
	    "https://news.example.com/a?x=1&y=2", -0.87, NULL },
	{ "<script>alert(1)</script> & co", "Blog <b>", "javascript:alert(1)",
	    -0.5, "<i>evil.example" },
	{ "Pipe | link", "Google Alert - Acme", "https://ok.example/a|b>c",
	    -0.4, "ok.example" },
};
static const char *const terms[] = { "acme", "<i>recall</i>" };
static const int series[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25 };
static const char *const to[] = { "ops@example.com",
	"Comms Team <comms@example.com>" };

static struct alert
spike(const char *name, const char *lang, enum incident_state state)
{
	struct alert a = {
		.event_id = "spike-acme-1",
		.kind = INCIDENT_SPIKE,
		.state = state,
		.severity = SEVERITY_CRITICAL,
		.subject = name,
		.lang = lang,
		.at_ms = T_AT,
		.started_ms = T_AT - 3600000,
		.window_count = 42,
		.window_total = 120,
		.expected = 3.5,
		.ratio = 12,
		.p = 2.5e-5,
		.reason = REASON_POISSON,
		.window_ms = 3600000,
		.top = mentions,
		.ntop = 3,
		.terms = terms,
		.nterms = 2,
		.series = series,
		.nseries = 26,
	};
	return a;
}

static char *
email(const struct alert *a)
{
	char *m = alert_email(
	    a, "Vigie <alerts@vigie.example>", to, 2, "vigie.example");

	assert_non_null(m);
	return m;
}

/* The header block, up to (not including) the blank line. */
static char *
headers(const char *m)
{
	const char *end = strstr(m, "\r\n\r\n");

	assert_non_null(end);
	return strndup(m, (size_t)(end - m) + 2);
}

/* The value of a header, unfolded; NULL when absent. */
static char *
header(const char *h, const char *name)
{
	size_t n = strlen(name);
	char *out, *o;

	for (const char *l = h; *l; l = strstr(l, "\r\n") + 2) {
		if (strncmp(l, name, n) != 0 || l[n] != ':')
			continue;
		out = o = malloc(strlen(l) + 1);
		for (const char *p = l + n + 2; *p; p++) {
			if (p[0] == '\r' && p[1] == '\n') {
				if (p[2] != ' ' && p[2] != '\t')
					break;
				p++;
				continue;
			}
			*o++ = *p;
		}
		*o = '\0';
		return out;
	}
	return NULL;
}

static void
assert_header_lines(const char *h, size_t width)
{
	int lines = 0;

	for (const char *l = h; *l;) {
		const char *e = strstr(l, "\r\n");
		const char *c = l;

		assert_non_null(e);
		assert_true((size_t)(e - l) <= width);
		if (*l == ' ' || *l == '\t') {
			assert_true(lines > 0); /* a continuation */
		} else {
			while ((*c >= 'A' && *c <= 'Z') ||
			    (*c >= 'a' && *c <= 'z') || *c == '-')
				c++;
			assert_true(c > l && c[0] == ':' && c[1] == ' ');
		}
		for (c = l; c < e; c++)
			assert_true(*c != '\r' && *c != '\n' && *c != '\0');
		lines++;
		l = e + 2;
	}
}

/* The decoded body of the part with this content type. */
static char *
part(const char *m, const char *type)
{
	char *start = strstr(m, type), *end, *out, *o;

	assert_non_null(start);
	start = strstr(start, "\r\n\r\n");
	assert_non_null(start);
	start += 4;
	end = strstr(start, "\r\n--" BOUNDARY);
	assert_non_null(end);
	out = o = malloc((size_t)(end - start) + 1);
	for (const char *p = start; p < end; p++) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
		} else if (p[0] == '=') {
			unsigned int c;

			assert_int_equal(sscanf(p + 1, "%2X", &c), 1);
			*o++ = (char)c;
			p += 2;
		} else if (p[0] == '\r' && p[1] == '\n') {
			*o++ = '\n';
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static void
test_subject_ascii(void **state)
{
	struct alert a = spike("Acme", "en", INCIDENT_FIRING);
	char *m = email(&a), *h = headers(m), *s = header(h, "Subject");

	(void)state;
	/* Only the dash needs encoding; the words stay readable. */
	assert_non_null(strstr(s,
	    "[vigie] CRITICAL: spike of negative "
	    "mentions =?UTF-8?B?4oCU?= Acme"));
	free(s);
	free(h);
	free(m);
}

static void
test_subject_utf8_folded(void **state)
{
	struct alert a =
	    spike("Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale "
	          "des Eaux et de l'\xc3\x89lectricit\xc3\xa9 du "
	          "Grand Lyon M\xc3\xa9tropole \xf0\x9f\x94\xa5 "
	          "Vraiment_un_tr\xc3\xa8s_long_mot_sans_espace_qui"
	          "_d\xc3\xa9passe_la_largeur_d_une_ligne",
	        "fr", INCIDENT_FIRING);
	char *m = email(&a), *h = headers(m), *s = header(h, "Subject");

	(void)state;
	assert_header_lines(h, 78);
	assert_non_null(strstr(s, "=?UTF-8?B?"));
	assert_non_null(strstr(s, "[vigie] CRITIQUE : pic de mentions"));
	/* Folded: the Subject spans several lines. */
	assert_non_null(strstr(strstr(h, "Subject:"), "\r\n "));
	for (const char *p = h; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	free(s);
	free(h);
	free(m);
}

static void
test_header_injection(void **state)
{
	static const char *const names[] = { "From", "To", "Subject", "Date",
		"Message-ID", "MIME-Version", "Auto-Submitted",
		"Content-Type" };
	struct alert a = spike(
	    "Acme\r\nBcc: evil@example.com\r\n\r\nbody", "en", INCIDENT_FIRING);
	char *m, *h;
	int count = 0;

	(void)state;
	a.event_id = "id\r\nBcc: evil@example.com";
	m = email(&a);
	h = headers(m);
	assert_header_lines(h, 998);
	for (const char *l = h; *l; l = strstr(l, "\r\n") + 2) {
		if (*l == ' ')
			continue;
		count++;
		int known = 0;
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			known |= strncmp(l, names[i], strlen(names[i])) == 0 &&
			    l[strlen(names[i])] == ':';
		assert_true(known);
	}
	assert_int_equal(count, 8);
	/* Nowhere in the message does a line start a header of its own. */
	assert_null(strstr(m, "\nBcc:"));
	assert_null(strstr(m, "\rBcc:"));
	free(h);
	free(m);
}

static void
test_bad_addresses(void **state)
{
	struct alert a = spike("Acme", "en", INCIDENT_FIRING);
	const char *bad_to[] = { "ops@example.com\r\nBcc: evil@example.com" };
	const char *bad_to2[] = { "a@b.example>, <c@d.example" };

	(void)state;
	assert_null(alert_email(&a, "x@y.example\r\nBcc: e@v.il", to, 2, "d"));
	assert_null(alert_email(&a, "x@y.example", bad_to, 1, "d"));
	assert_null(alert_email(&a, "x@y.example", bad_to2, 1, "d"));
	assert_null(alert_email(&a, "x@y.example", to, 0, "d"));
}

static void
test_mime_structure(void **state)
{
	struct alert a = spike("Acme", "en", INCIDENT_FIRING);
	char *m = email(&a), *h = headers(m), *ct = header(h, "Content-Type");
	const char *body = strstr(m, "\r\n\r\n") + 4;
	int boundaries = 0;

	(void)state;
	assert_string_equal(
	    ct, "multipart/alternative; boundary=\"" BOUNDARY "\"");
	assert_non_null(strstr(h, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(h, "Date: Tue, 04 Jun 2024 12:00:00 +0000\r\n"));
	assert_non_null(
	    strstr(h, "Message-ID: <spike-acme-1@vigie.example>\r\n"));
	assert_non_null(strstr(h,
	    "To: ops@example.com, Comms Team "
	    "<comms@example.com>\r\n"));
	assert_non_null(strstr(body,
	    "Content-Type: text/plain; charset=utf-8"
	    "\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n"));
	assert_non_null(strstr(body,
	    "Content-Type: text/html; charset=utf-8"
	    "\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n"));
	/* Lines of at most 76 characters, CRLF only, boundary lines alone. */
	for (const char *l = body; *l;) {
		const char *e = strstr(l, "\r\n");

		assert_non_null(e);
		assert_true(e - l <= 76);
		assert_null(memchr(l, '\n', (size_t)(e - l)));
		if (strncmp(l, "--" BOUNDARY, strlen(BOUNDARY) + 2) == 0)
			boundaries++;
		l = e + 2;
	}
	assert_int_equal(boundaries, 3);
	assert_non_null(strstr(m, "\r\n--" BOUNDARY "--\r\n"));
	free(ct);
	free(h);
	free(m);
}

static void
test_message_id_stable(void **state)
{
	struct alert a = spike("Acme", "en", INCIDENT_FIRING);
	char *m1 = email(&a), *m2, *id1, *id2;

	(void)state;
	a.at_ms += 60000; /* a second delivery, a minute later */
	m2 = email(&a);
	id1 = header(m1, "Message-ID");
	id2 = header(m2, "Message-ID");
	assert_string_equal(id1, id2);
	free(id1);
	free(id2);
	free(m1);
	free(m2);
}

static void
test_html_escaping(void **state)
{
	struct alert a = spike("Acme <b>&</b>", "en", INCIDENT_FIRING);
	char *m = email(&a), *html = part(m, "text/html"),
	     *text = part(m, "text/plain");

	(void)state;
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html,
	    "&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&amp; co"));
	assert_non_null(strstr(html, "Acme &lt;b&gt;&amp;&lt;/b&gt;"));
	assert_null(strstr(html, "javascript:"));
	assert_non_null(strstr(html,
	    "<a href=\"https://news.example.com/"
	    "a?x=1&amp;y=2\""));
	assert_non_null(strstr(html, "&lt;i&gt;recall&lt;/i&gt;"));
	/* The chart: inline heights, no images, SVG nor classes. */
	assert_non_null(strstr(html, "height:60px;background:#c0392b"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<svg"));
	assert_null(strstr(html, "class="));
	/* A relayed mention names its publisher after its source, escaped. */
	assert_non_null(strstr(html, "Blog &lt;b&gt; (&lt;i&gt;evil.example)"));
	assert_non_null(strstr(text, "Google Alert - Acme (ok.example)"));
	assert_null(strstr(text, "Daily News ("));
	/* The text part keeps the text as it is, on one line. */
	assert_non_null(strstr(text, "1. x Bcc: evil@example.com\n"));
	assert_null(strstr(text, "javascript:"));
	/* The sparkline ends with the current hour, the peak: a full block. */
	assert_non_null(strstr(text, "\xe2\x96\x82\xe2\x96\x82"));
	assert_non_null(strstr(text, "\xe2\x96\x88\n"));
	free(html);
	free(text);
	free(m);
}

static void
test_languages(void **state)
{
	struct alert en = spike("Acme", "en", INCIDENT_FIRING);
	struct alert fr = spike("Acme", "fr", INCIDENT_FIRING);
	char *me = email(&en), *mf = email(&fr);
	char *te = part(me, "text/plain"), *tf = part(mf, "text/plain");

	(void)state;
	assert_non_null(strstr(te,
	    "[vigie] CRITICAL: spike of negative "
	    "mentions \xe2\x80\x94 Acme\n"));
	assert_non_null(strstr(te, "42 negative mentions"));
	assert_non_null(strstr(te, "about one in 40,000"));
	assert_non_null(strstr(tf,
	    "[vigie] CRITIQUE : pic de mentions "
	    "n\xc3\xa9gatives \xe2\x80\x94 Acme\n"));
	assert_non_null(strstr(tf, "42 mentions n\xc3\xa9gatives"));
	assert_non_null(strstr(tf, "environ 3,5 \xc3\xa9taient attendues"));
	assert_non_null(strstr(tf,
	    "une chance sur 40\xc2\xa0"
	    "000"));
	assert_null(strstr(tf, "negative"));
	free(te);
	free(tf);
	free(me);
	free(mf);
}

static void
test_resolved(void **state)
{
	struct alert en = spike("Acme", "en", INCIDENT_RESOLVED);
	struct alert fr = spike("Acme", "fr", INCIDENT_RESOLVED);
	char *me = email(&en), *mf = email(&fr);
	char *te = part(me, "text/plain"), *tf = part(mf, "text/plain");

	(void)state;
	assert_non_null(strstr(te,
	    "[vigie] resolved: spike of negative "
	    "mentions \xe2\x80\x94 Acme\n"));
	assert_non_null(strstr(te, "is over"));
	assert_null(strstr(te, "CRITICAL"));
	assert_non_null(strstr(tf,
	    "[vigie] r\xc3\xa9solu : pic de mentions "
	    "n\xc3\xa9gatives \xe2\x80\x94 Acme\n"));
	assert_non_null(strstr(tf, "est termin\xc3\xa9"));
	free(te);
	free(tf);
	free(me);
	free(mf);
}

/* The dominant emotion in the reader's language, and a rumour said in
 * the subject and the body of an open incident. */
static void
test_emotion_rumour(void **state)
{
	struct alert fr = spike("Acme", "fr", INCIDENT_FIRING);
	struct alert en = spike("Acme", "en", INCIDENT_ESCALATED);
	struct alert one = spike("Acme", "en", INCIDENT_FIRING);
	char *mf, *tf, *hf, *me, *te, *mo, *to1, *w, *sl;
	json_t *j;

	(void)state;
	fr.has_emotion = en.has_emotion = 1;
	fr.emotion = en.emotion = EMOTION_ANGER;
	fr.rumours = en.rumours = 3;
	one.rumours = 1;
	mf = email(&fr);
	tf = part(mf, "text/plain");
	hf = part(mf, "text/html");
	assert_non_null(strstr(tf,
	    "[vigie] CRITIQUE : pic de mentions n\xc3\xa9gatives (rumeur) "
	    "\xe2\x80\x94 Acme\n"));
	assert_non_null(
	    strstr(tf, "\xc3\x89motion dominante : col\xc3\xa8re\n"));
	assert_non_null(strstr(tf,
	    "RUMEUR : 3 de ces mentions n\xc3\xa9gatives relaient une "
	    "rumeur"));
	assert_non_null(strstr(hf, "<b>RUMEUR</b> : 3 de ces"));
	assert_non_null(
	    strstr(hf, "<b>\xc3\x89motion dominante</b> : col\xc3\xa8re</p>"));
	assert_null(strstr(tf, "anger"));

	me = email(&en);
	te = part(me, "text/plain");
	assert_non_null(strstr(te,
	    "[vigie] CRITICAL: spike of negative mentions, getting worse "
	    "(rumour) \xe2\x80\x94 Acme\n"));
	assert_non_null(strstr(te, "Dominant emotion: anger\n"));
	assert_non_null(
	    strstr(te, "RUMOUR: 3 of these negative mentions spread"));
	mo = email(&one);
	to1 = part(mo, "text/plain");
	assert_non_null(
	    strstr(to1, "RUMOUR: 1 of these negative mentions spreads"));
	assert_null(strstr(to1, "Dominant emotion"));

	w = alert_webhook(&fr, WEBHOOK_JSON);
	j = json_loads(w, 0, NULL);
	assert_non_null(j);
	assert_string_equal(
	    json_string_value(json_object_get(j, "emotion")), "anger");
	assert_int_equal(json_integer_value(json_object_get(j, "rumours")), 3);
	json_decref(j);
	free(w);
	sl = alert_webhook(&fr, WEBHOOK_SLACK);
	assert_non_null(strstr(sl, "*RUMEUR* : 3 de ces"));
	assert_non_null(strstr(sl, "col\xc3\xa8re"));
	free(sl);

	/* No emotion: null. */
	w = alert_webhook(&one, WEBHOOK_JSON);
	j = json_loads(w, 0, NULL);
	assert_true(json_is_null(json_object_get(j, "emotion")));
	assert_int_equal(json_integer_value(json_object_get(j, "rumours")), 1);
	json_decref(j);
	free(w);

	/* Resolved: the counts stay in the JSON, the words go. */
	fr.state = INCIDENT_RESOLVED;
	free(tf);
	free(mf);
	mf = email(&fr);
	tf = part(mf, "text/plain");
	assert_null(strstr(tf, "rumeur"));
	assert_null(strstr(tf, "col\xc3\xa8re"));
	free(tf);
	free(hf);
	free(mf);
	free(te);
	free(me);
	free(to1);
	free(mo);
}

/* The author whose voice carries furthest, named with their audience
 * and profile, escaped for each form; none said when none is known. */
static void
test_top_author(void **state)
{
	struct alert en = spike("Acme", "en", INCIDENT_FIRING);
	struct alert fr = spike("Acme", "fr", INCIDENT_FIRING);
	struct alert none = spike("Acme", "en", INCIDENT_FIRING);
	char *m, *t, *h, *w;
	json_t *j, *a;

	(void)state;
	en.top_author = fr.top_author = "Marc <b>D.</b>";
	en.top_author_profile = "https://piaille.example/@marc";
	en.top_author_followers = 23000;
	fr.top_author_profile = "javascript:alert(1)";
	fr.top_author_followers = -1;
	m = email(&en);
	t = part(m, "text/plain");
	h = part(m, "text/html");
	assert_non_null(strstr(t,
	    "Most-heard author: Marc <b>D.</b> (23,000 "
	    "followers) https://piaille.example/@marc\n"));
	assert_non_null(strstr(h,
	    "<b>Most-heard author</b>: Marc "
	    "&lt;b&gt;D.&lt;/b&gt; (23,000 followers)"));
	assert_null(strstr(h, "<b>D.</b>"));
	free(t);
	free(h);
	free(m);

	m = email(&fr);
	t = part(m, "text/plain");
	assert_non_null(strstr(t, "Auteur le plus entendu : Marc <b>D.</b>\n"));
	assert_null(strstr(t, "javascript"));
	assert_null(strstr(t, "abonn"));
	free(t);
	free(m);

	w = alert_webhook(&en, WEBHOOK_JSON);
	j = json_loads(w, 0, NULL);
	a = json_object_get(j, "top_author");
	assert_string_equal(
	    json_string_value(json_object_get(a, "name")), "Marc <b>D.</b>");
	assert_string_equal(json_string_value(json_object_get(a, "profile")),
	    "https://piaille.example/@marc");
	assert_int_equal(
	    json_integer_value(json_object_get(a, "followers")), 23000);
	json_decref(j);
	free(w);
	w = alert_webhook(&fr, WEBHOOK_JSON);
	j = json_loads(w, 0, NULL);
	a = json_object_get(j, "top_author");
	assert_true(json_is_null(json_object_get(a, "profile")));
	assert_true(json_is_null(json_object_get(a, "followers")));
	json_decref(j);
	free(w);
	w = alert_webhook(&none, WEBHOOK_JSON);
	j = json_loads(w, 0, NULL);
	assert_true(json_is_null(json_object_get(j, "top_author")));
	json_decref(j);
	free(w);
	w = alert_webhook(&en, WEBHOOK_SLACK);
	assert_non_null(strstr(w, "Marc &lt;b&gt;D.&lt;/b&gt; (23,000"));
	free(w);
}

static void
test_source_alert(void **state)
{
	struct alert a = {
		.event_id = "source-1",
		.kind = INCIDENT_SOURCE,
		.state = INCIDENT_FIRING,
		.severity = SEVERITY_WARNING,
		.subject = "Daily News",
		.lang = "en",
		.at_ms = T_AT,
		.started_ms = T_AT - 7200000,
		.failures = 5,
		.last_error = "HTTP 503\r\nX-Evil: 1",
		.url = "https://news.example.com/feed.xml",
	};
	char *m = email(&a), *t = part(m, "text/plain");
	char *w = alert_webhook(&a, WEBHOOK_JSON);
	json_t *j = json_loads(w, 0, NULL);

	(void)state;
	assert_non_null(strstr(t,
	    "[vigie] WARNING: source failing \xe2\x80\x94 "
	    "Daily News\n"));
	assert_non_null(strstr(t, "failed 5 times in a row"));
	assert_non_null(strstr(t, "Last error: HTTP 503 X-Evil: 1\n"));
	assert_non_null(strstr(t, "https://news.example.com/feed.xml"));
	assert_non_null(j);
	assert_string_equal(
	    json_string_value(json_object_get(j, "source")), "Daily News");
	assert_int_equal(json_integer_value(json_object_get(j, "failures")), 5);
	assert_null(json_object_get(j, "top_mentions"));
	json_decref(j);
	free(w);
	free(t);
	free(m);
}

static void
test_webhook_json(void **state)
{
	struct alert a = spike("Acme \xff\xfe bad", "en", INCIDENT_ESCALATED);
	char *w, *title;
	json_t *j, *s;
	char long_title[400];

	(void)state;
	memset(long_title, 'a', sizeof long_title - 1);
	for (size_t i = 7; i < sizeof long_title - 1; i += 8)
		long_title[i] = ' ';
	long_title[sizeof long_title - 1] = '\0';
	struct alert_mention m = { long_title, "s", "https://x.example", -1,
		NULL };
	a.top = &m;
	a.ntop = 1;
	w = alert_webhook(&a, WEBHOOK_JSON);
	assert_non_null(w);
	j = json_loads(w, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(j, "event_id")), "spike-acme-1");
	assert_string_equal(
	    json_string_value(json_object_get(j, "state")), "escalated");
	assert_string_equal(json_string_value(json_object_get(j, "at")),
	    "2024-06-04T12:00:00Z");
	assert_int_equal(
	    json_integer_value(json_object_get(j, "window_seconds")), 3600);
	/* Invalid UTF-8 became U+FFFD: jansson would refuse it otherwise. */
	assert_string_equal(json_string_value(json_object_get(j, "watch")),
	    "Acme \xef\xbf\xbd\xef\xbf\xbd bad");
	/* The last 24 of 26 hours, the current one last. */
	s = json_object_get(j, "series");
	assert_int_equal(json_array_size(s), 24);
	assert_int_equal(json_integer_value(json_array_get(s, 0)), 2);
	assert_int_equal(json_integer_value(json_array_get(s, 23)), 25);
	/* A long title is cut at a word, marked, at most 200 characters. */
	title = strdup(json_string_value(json_object_get(
	    json_array_get(json_object_get(j, "top_mentions"), 0), "title")));
	assert_true(strlen(title) <= 200 + 2);
	assert_string_equal(title + strlen(title) - 4, "a\xe2\x80\xa6");
	free(title);
	json_decref(j);
	free(w);

	/* A link stored before links were checked is no link. */
	a.top = mentions;
	a.ntop = 2;
	w = alert_webhook(&a, WEBHOOK_JSON);
	j = json_loads(w, 0, NULL);
	assert_non_null(j);
	s = json_object_get(j, "top_mentions");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(s, 0), "link")),
	    "https://news.example.com/a?x=1&y=2");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(s, 1), "link")),
	    "");
	json_decref(j);
	free(w);
}

static void
test_slack(void **state)
{
	struct alert a = spike("A&B <Corp>", "en", INCIDENT_FIRING);
	char *w = alert_webhook(&a, WEBHOOK_SLACK), *all;
	json_t *j = json_loads(w, 0, NULL);

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "text")),
	    "[vigie] CRITICAL: spike of negative mentions \xe2\x80\x94 "
	    "A&amp;B &lt;Corp&gt;");
	assert_true(json_array_size(json_object_get(j, "blocks")) >= 3);
	all = json_dumps(j, 0);
	assert_non_null(strstr(all,
	    "&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&amp; co"));
	assert_null(strstr(all, "<script>"));
	assert_null(strstr(all, "<javascript:"));
	assert_non_null(strstr(all,
	    "<https://ok.example/a%7Cb&gt;c|Pipe | "
	    "link>"));
	assert_non_null(strstr(all,
	    "<https://news.example.com/a?x=1&amp;y=2|"
	    "x Bcc: evil@example.com>"));
	free(all);
	json_decref(j);
	free(w);
}

/* Arbitrary bytes anywhere: the headers stay headers, the JSON stays
 * JSON (jansson refuses invalid UTF-8, so this also checks the cleaning). */
static void
test_random_bytes(void **state)
{
	uint32_t seed = 12345;
	char name[301], title[301];

	(void)state;
	for (int round = 0; round < 300; round++) {
		struct alert a =
		    spike(name, round % 2 ? "fr" : "en", INCIDENT_FIRING);
		struct alert_mention m = { title, name, title, -0.5, NULL };
		size_t n = round % 300;
		char *mail, *h, *w;
		json_t *j;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			name[i] = (char)(1 + (seed >> 16) % 255);
			title[i] = (char)(1 + (seed >> 8) % 255);
		}
		name[n] = title[n] = '\0';
		a.top = &m;
		a.ntop = 1;
		mail = email(&a);
		h = headers(mail);
		assert_header_lines(h, 78);
		w = alert_webhook(&a, round % 3 ? WEBHOOK_JSON : WEBHOOK_SLACK);
		assert_non_null(w);
		j = json_loads(w, 0, NULL);
		assert_non_null(j);
		json_decref(j);
		free(w);
		free(h);
		free(mail);
	}
}

static void
hmac_hex(const void *key, size_t keylen, const char *data, const char *want)
{
	char out[ALERT_SIGN_LEN];

	assert_int_equal(alert_sign(key, keylen, data, strlen(data), out), 0);
	assert_string_equal(out, want);
}

static void
test_hmac(void **state)
{
	unsigned char k1[20];

	(void)state;
	/* RFC 4231 test cases 1 and 2. */
	memset(k1, 0x0b, sizeof k1);
	hmac_hex(k1, sizeof k1, "Hi There",
	    "sha256="
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32"
	    "cff7");
	hmac_hex("Jefe", 4, "what do ya want for nothing?",
	    "sha256="
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec"
	    "3843");
	/* GitHub's documented X-Hub-Signature-256 example. */
	hmac_hex("It's a Secret to Everybody", 26, "Hello, World!",
	    "sha256="
	    "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b04"
	    "3e17");
	/* An empty key is a key, not "the previous one". */
	hmac_hex("", 0, "",
	    "sha256="
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292"
	    "c5ad");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_ascii),
		cmocka_unit_test(test_subject_utf8_folded),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_mime_structure),
		cmocka_unit_test(test_message_id_stable),
		cmocka_unit_test(test_html_escaping),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_resolved),
		cmocka_unit_test(test_emotion_rumour),
		cmocka_unit_test(test_top_author),
		cmocka_unit_test(test_source_alert),
		cmocka_unit_test(test_webhook_json),
		cmocka_unit_test(test_slack),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_hmac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
