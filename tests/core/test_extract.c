/*
 * test_extract.c - extraction by XPath rules and by each preset on pages in
 * the engines' real markup, charsets, hostile pages, rule checking, and
 * the dates pages print.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "core/base/util.h"
#include "core/read/extract.h"
#include "core/read/page_date.h"
#include "core/read/xml.h"

/* Wednesday 15 January 2025, 12:00:00 UTC. */
#define NOW INT64_C(1736942400)

struct run {
	struct feed *feed;
	char *next;
	struct extract_stats st;
};

static void
run_mem(const struct extract_rules *r, const char *data, size_t len,
    const char *base, const char *ct, struct run *out)
{
	struct extract_input in = { data, len, base, ct, NOW };
	char err[256] = "";

	memset(out, 0, sizeof *out);
	if (extract_html(
	        r, &in, &out->feed, &out->next, &out->st, err, sizeof err) != 0)
		fail_msg("extract_html: %s", err);
	assert_non_null(out->feed);
	assert_int_equal(out->st.items, out->feed->nitems);
}

static void
run_file(const struct extract_rules *r, const char *name, const char *base,
    struct run *out)
{
	size_t len;
	char *data = fixture_read("pages", name, &len);

	run_mem(r, data, len, base, NULL, out);
	free(data);
}

static void
run_clear(struct run *r)
{
	feed_free(r->feed);
	free(r->next);
}

static void
item_is(const struct item *it, const char *title, const char *link,
    const char *author, int64_t date, const char *text)
{
	if (title != NULL)
		assert_string_equal(it->title, title);
	assert_string_equal(it->link, link);
	assert_string_equal(it->id, link);
	if (author != NULL)
		assert_string_equal(it->author, author);
	else
		assert_null(it->author);
	assert_int_equal(it->published, date);
	if (text != NULL)
		assert_string_equal(it->content, text);
}

static void
test_phpbb(void **state)
{
	(void)state;
	struct run r;

	run_file(extract_preset("phpbb"), "phpbb-topic.html",
	    "https://forum.example/viewtopic.php?t=4521", &r);
	assert_int_equal(r.feed->nitems, 3);
	item_is(&r.feed->items[0], "Box en panne depuis la mise à jour",
	    "https://forum.example/viewtopic.php?p=98001#p98001", "marc_lyon",
	    1736687100,
	    "Depuis la mise à jour de dimanche, ma box redémarre toutes les "
	    "heures. Le support ne répond pas. Quelqu'un d'autre ?");
	/* The quote of the first post and the signature are not this
	 * post's words. */
	item_is(&r.feed->items[1], "Re: Box en panne depuis la mise à jour",
	    "https://forum.example/viewtopic.php?p=98007#p98007",
	    "Modo_Sandrine", 1736696400,
	    "Bonjour, un correctif est en cours de déploiement. Merci de "
	    "patienter.");
	/* Quotes nested in quotes go too. */
	item_is(&r.feed->items[2], "Re: Box en panne depuis la mise à jour",
	    "https://forum.example/viewtopic.php?p=98012#p98012", "julie.b",
	    1736755920, "Toujours pareil ce matin, c'est inadmissible.");
	assert_string_equal(
	    r.next, "https://forum.example/viewtopic.php?t=4521&start=10");
	assert_string_equal(r.feed->lang, "fr");
	assert_string_equal(r.feed->items[0].lang, "fr");
	assert_string_equal(r.feed->title,
	    "Box en panne depuis la mise à jour - Forum Freenautes");
	assert_int_equal(r.st.title, 3);
	assert_int_equal(r.st.text, 3);
	run_clear(&r);
}

/* The last page: a previous link, no next. */
static void
test_phpbb_last_page(void **state)
{
	(void)state;
	struct run r;

	run_file(extract_preset("phpbb"), "phpbb-topic-p2.html",
	    "https://support.example/forum/viewtopic.php?t=77&start=20", &r);
	assert_int_equal(r.feed->nitems, 1);
	item_is(&r.feed->items[0], "Re: Router keeps rebooting",
	    "https://support.example/forum/viewtopic.php?p=501#p501", "dave_k",
	    1738617300,
	    "Same here since the firmware update. Third router "
	    "this year.");
	assert_null(r.next);
	run_clear(&r);
}

static void
test_discourse_topic(void **state)
{
	(void)state;
	struct run r;

	run_file(extract_preset("discourse"), "discourse-topic.html",
	    "https://community.acme.example/t/router-x200-bricked-after-update/"
	    "8812",
	    &r);
	assert_int_equal(r.feed->nitems, 2);
	item_is(&r.feed->items[0], "Router X200 bricked after update",
	    "https://community.acme.example/t/router-x200-bricked-after-update/"
	    "8812/1",
	    "kathy_r", 1736674200,
	    "After last night's automatic update my X200 no longer boots: the "
	    "power light blinks orange forever. Factory reset does nothing. "
	    "Is anyone else seeing this?");
	item_is(&r.feed->items[1], "Router X200 bricked after update",
	    "https://community.acme.example/t/router-x200-bricked-after-update/"
	    "8812/2",
	    "tom.h", 1736676161,
	    "Same here, two units in the office. Support says a fix ships "
	    "Monday.");
	assert_string_equal(r.next,
	    "https://community.acme.example/t/"
	    "router-x200-bricked-after-update/8812?page=2");
	run_clear(&r);
}

static void
test_discourse_latest(void **state)
{
	(void)state;
	struct run r;

	run_file(extract_preset("discourse"), "discourse-latest.html",
	    "https://community.acme.example/latest", &r);
	assert_int_equal(r.feed->nitems, 3);
	item_is(&r.feed->items[0], "Router X200 bricked after update",
	    "https://community.acme.example/t/router-x200-bricked-after-update/"
	    "8812",
	    NULL, INT64_MIN, NULL);
	item_is(&r.feed->items[1],
	    "Refund still not received after 6 weeks & no answer",
	    "https://community.acme.example/t/"
	    "refund-still-not-received-after-6-weeks/8790",
	    NULL, INT64_MIN, NULL);
	item_is(&r.feed->items[2], "Welcome to Acme Community",
	    "https://community.acme.example/t/welcome-to-acme-community/7",
	    NULL, INT64_MIN, NULL);
	/* A topic list has titles and links, nothing else: the counts say
	 * so. */
	assert_int_equal(r.st.link, 3);
	assert_int_equal(r.st.author, 0);
	assert_int_equal(r.st.date, 0);
	assert_int_equal(r.st.text, 0);
	assert_string_equal(r.next,
	    "https://community.acme.example/latest?"
	    "no_definitions=true&page=1");
	run_clear(&r);
}

static void
test_xenforo(void **state)
{
	(void)state;
	struct run r;

	/* Links resolve against <base href>, not the page's URL. */
	run_file(extract_preset("xenforo"), "xenforo-thread.html",
	    "https://forum-conso.example/threads/"
	    "colis-jamais-livre-service-client-injoignable.3310/",
	    &r);
	assert_int_equal(r.feed->nitems, 2);
	item_is(&r.feed->items[0],
	    "Colis jamais livré, service client injoignable",
	    "https://forum-conso.example/threads/"
	    "colis-jamais-livre-service-client-injoignable.3310/post-41101",
	    "Nadia75", 1736687100,
	    "Commande passée le 2 janvier, le suivi indique « livré » mais je "
	    "n'ai rien reçu. Le service client ne répond ni au téléphone ni "
	    "aux mails. Une honte.");
	item_is(&r.feed->items[1],
	    "Colis jamais livré, service client injoignable",
	    "https://forum-conso.example/threads/"
	    "colis-jamais-livre-service-client-injoignable.3310/post-41130",
	    "PaulG", 1736704020,
	    "Même chose pour moi, trois semaines sans réponse. J'ai ouvert un "
	    "litige auprès de ma banque.");
	assert_string_equal(r.next,
	    "https://forum-conso.example/threads/"
	    "colis-jamais-livre-service-client-injoignable.3310/page-2");
	run_clear(&r);
}

static void
test_wordpress(void **state)
{
	(void)state;
	struct run r;

	run_file(extract_preset("wordpress"), "wordpress-home.html",
	    "https://gadgetwatch.example/", &r);
	assert_int_equal(r.feed->nitems, 2);
	/* The "Continue reading" link is no part of the summary. */
	item_is(&r.feed->items[0], "Acme X200 review: the update fiasco",
	    "https://gadgetwatch.example/2025/01/12/"
	    "acme-x200-review-update-fiasco/",
	    "Lena Ortiz", 1736698800,
	    "Acme’s latest firmware bricked thousands of X200 routers "
	    "overnight. We tested the recovery procedure…");
	item_is(&r.feed->items[1], "Acme recalls 40,000 chargers",
	    "https://gadgetwatch.example/2025/01/10/acme-recalls-chargers/",
	    "Sam Lee", 1736499600,
	    "The company says the USB-C chargers can overheat. Customers are "
	    "offered a free replacement.");
	assert_string_equal(r.next, "https://gadgetwatch.example/page/2/");
	run_clear(&r);
}

/* Hand-written rules for a news page: attributes, elements, a date in a
 * custom format, a rule matching nothing counted as 0. */
static void
test_custom_rules(void **state)
{
	(void)state;
	static const char page[] =
	    "<html><body><ul class=news>"
	    "<li><a href='/a/1' title='Grève  chez Acme'>x</a>"
	    "<span class=d>Publié le 12/01/2025 à 14h05</span>"
	    "<p>Les salariés <em>d'Acme</em> &amp; leurs syndicats.</p></li>"
	    "<li><a href='a/2' title='Acme rachète Bolt'>y</a>"
	    "<span class=d>Publié le 03/02/2025 à 09h00</span>"
	    "<p>Annonce faite hier.</p></li>"
	    "</ul><a class=suite href='?page=2'>Suite</a></body></html>";
	const struct extract_rules rules = {
		.item = "//ul[@class='news']/li",
		.title = "a/@title",
		.link = "a",
		.author = ".//span[@class='author']",
		.date = "span[@class='d']",
		.date_format = "Publié le %d/%m/%Y à %Hh%M",
		.text = "p",
		.next = "//a[@class='suite']/@href",
	};
	struct run r;

	assert_int_equal(extract_check(&rules, (char[64]){ 0 }, 64), 0);
	run_mem(&rules, page, sizeof page - 1,
	    "https://news.example/actu/index.html", NULL, &r);
	assert_int_equal(r.feed->nitems, 2);
	item_is(&r.feed->items[0], "Grève chez Acme",
	    "https://news.example/a/1", NULL, 1736690700,
	    "Les salariés d'Acme & leurs syndicats.");
	item_is(&r.feed->items[1], "Acme rachète Bolt",
	    "https://news.example/actu/a/2", NULL, 1738573200,
	    "Annonce faite hier.");
	assert_int_equal(r.st.items, 2);
	assert_int_equal(r.st.title, 2);
	assert_int_equal(r.st.date, 2);
	assert_int_equal(r.st.author, 0);
	assert_string_equal(
	    r.next, "https://news.example/actu/index.html?page=2");
	run_clear(&r);
}

/* An item rule matching nothing is a page with no items, not an error. */
static void
test_no_match(void **state)
{
	(void)state;
	const struct extract_rules rules = { .item = "//article",
		.title = "h2" };
	struct run r;

	run_file(&rules, "phpbb-topic.html", "https://forum.example/", &r);
	assert_int_equal(r.feed->nitems, 0);
	assert_int_equal(r.st.items, 0);
	assert_int_equal(r.st.title, 0);
	run_clear(&r);
}

static void
test_check(void **state)
{
	(void)state;
	char err[256];
	const struct extract_rules bad = { .item = "//div[@class='post'",
		.title = "h3" };
	const struct extract_rules bad_text = { .item = "//div",
		.text = "p[[1]" };
	const struct extract_rules none = { .title = "h3" };

	for (size_t i = 0; extract_preset_names[i] != NULL; i++) {
		const struct extract_rules *p =
		    extract_preset(extract_preset_names[i]);
		assert_non_null(p);
		assert_non_null(p->next);
		if (extract_check(p, err, sizeof err) != 0)
			fail_msg("preset %s: %s", extract_preset_names[i], err);
	}
	assert_ptr_equal(extract_preset("PHPBB"), extract_preset("phpbb"));
	assert_null(extract_preset("vbulletin"));

	assert_int_equal(extract_check(&bad, err, sizeof err), -1);
	assert_non_null(strstr(err, "item rule: invalid XPath"));
	assert_non_null(strstr(err, "//div[@class='post'"));
	assert_int_equal(extract_check(&bad_text, err, sizeof err), -1);
	assert_non_null(strstr(err, "text rule"));
	assert_int_equal(extract_check(&none, err, sizeof err), -1);

	/* extract_html refuses them the same way. */
	struct extract_input in = { "<p>x</p>", 8, NULL, NULL, NOW };
	struct feed *f = (struct feed *)1;
	char *next = (char *)1;
	assert_int_equal(
	    extract_html(&bad, &in, &f, &next, NULL, err, sizeof err), -1);
	assert_null(f);
	assert_null(next);
	assert_non_null(strstr(err, "item rule"));

	/* An item rule must select nodes. */
	const struct extract_rules count = { .item = "count(//p)" };
	assert_int_equal(
	    extract_html(&count, &in, &f, &next, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "no elements"));
}

static void
test_malformed(void **state)
{
	(void)state;
	const struct extract_rules rules = {
		.item = "//div[@class='post']",
		.title = "h3",
		.link = "h3/a/@href",
		.text = "div[@class='content']",
	};
	struct run r;

	run_file(
	    &rules, "malformed.html", "https://usagers.example/forum/", &r);
	assert_true(r.feed->nitems >= 3);
	const struct item *it = &r.feed->items[0];
	assert_string_equal(it->link, "https://usagers.example/t/1#p1");
	assert_non_null(strstr(it->title, "Retard énorme"));
	/* A javascript: link is no link, and scripts are no text. */
	const struct item *last = &r.feed->items[r.feed->nitems - 1];
	assert_null(last->link);
	assert_null(last->id);
	assert_string_equal(last->content, "Texte après script");
	run_clear(&r);
}

static void
test_windows_1252(void **state)
{
	(void)state;
	const struct extract_rules *p = extract_preset("phpbb");
	struct run r;

	/* No charset anywhere, bytes that are not UTF-8: windows-1252. */
	run_file(p, "windows-1252.html", "https://abonnes.example/", &r);
	assert_int_equal(r.feed->nitems, 1);
	assert_string_equal(r.feed->title, "Forum des abonnés");
	assert_string_equal(r.feed->items[0].title, "Problème de facturation");
	assert_string_equal(r.feed->items[0].content,
	    "Facturé deux fois € 12,50 – c’est inadmissible.");
	run_clear(&r);

	/* The HTTP charset wins over <meta>; <meta> over the guess. */
	static const char latin9[] =
	    "<html><head><meta http-equiv='Content-Type' "
	    "content='text/html; charset=iso-8859-15'></head><body>"
	    "<div class='post' id='p1'><h3><a href='/x'>Prix en \xa4</a></h3>"
	    "</div></body></html>";
	run_mem(p, latin9, sizeof latin9 - 1, "https://a.example/", NULL, &r);
	assert_string_equal(r.feed->items[0].title, "Prix en €");
	run_clear(&r);
	run_mem(p, latin9, sizeof latin9 - 1, "https://a.example/",
	    "text/html; charset=ISO-8859-1", &r);
	assert_string_equal(r.feed->items[0].title, "Prix en ¤");
	run_clear(&r);
	static const char utf8[] =
	    "<meta charset=\"utf-8\"><div class='post' id='p1'><h3><a "
	    "href='/x'>Déjà</a></h3></div>";
	run_mem(p, utf8, sizeof utf8 - 1, "https://a.example/", NULL, &r);
	assert_string_equal(r.feed->items[0].title, "Déjà");
	run_clear(&r);
}

/* A page far over the size cap, with many more items than are kept and
 * fields far over their length cap: cut, not a crash nor a hang. */
static void
test_huge(void **state)
{
	(void)state;
	/* Minutes under valgrind, for what the plain and sanitizer runs
	 * already prove: the valgrind setup sets VIGIE_TEST_LIGHT. */
	if (getenv("VIGIE_TEST_LIGHT") != NULL)
		skip();
	struct buf b;
	const struct extract_rules rules = {
		.item = "//div[@class='post']",
		.title = "h3",
		.text = "div",
	};

	buf_init(&b);
	buf_puts(&b, "<html><body><div class='post'><h3>");
	for (int i = 0; i < 200000; i++)
		buf_puts(&b, "très long titre ");
	buf_puts(&b, "</h3><div>");
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "du texte à perte de vue ");
	buf_puts(&b, "</div></div>");
	while (b.len < ((size_t)20 << 20))
		buf_puts(
		    &b, "<div class='post'><h3>t</h3><div>x</div></div>\n");
	buf_puts(&b, "<div class='post'><h3>beyond the cap</h3></div>");

	struct run r;
	run_mem(&rules, b.data, b.len, "https://big.example/", NULL, &r);
	assert_int_equal(r.feed->nitems, 1000);
	assert_true(strlen(r.feed->items[0].title) <= 1024);
	assert_true(strlen(r.feed->items[0].content) <= 64 * 1024);
	assert_true(strlen(r.feed->items[0].content) > 60 * 1024);
	assert_string_equal(r.feed->items[999].title, "t");
	run_clear(&r);

	/* Nesting deeper than any parser should follow. */
	b.len = 0;
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "<div class='post'><h3>n</h3>");
	run_mem(&rules, b.data, b.len, NULL, NULL, &r);
	assert_true(r.feed->nitems <= 1000);
	run_clear(&r);

	/* A rule that walks the whole page from every item runs out of
	 * budget and stops. */
	b.len = 0;
	for (int i = 0; i < 200000; i++)
		buf_puts(&b, "<p><b>x</b></p>");
	const struct extract_rules costly = {
		.item = "//p",
		.title = "count(//b[. = 'x'][following::b]) and //b[last()]",
	};
	struct extract_input in = { b.data, b.len, NULL, NULL, NOW };
	struct feed *f = NULL;
	char *next = NULL;
	char err[256];
	assert_int_equal(
	    extract_html(&costly, &in, &f, &next, NULL, err, sizeof err), 0);
	assert_true(f->nitems < 1000);
	feed_free(f);
	free(next);
	buf_clear(&b);
}

static void
test_dates(void **state)
{
	(void)state;
	static const struct {
		const char *text, *format;
		int64_t want;
	} cases[] = {
		/* Absolute, French. */
		{ "12 janvier 2025", NULL, 1736640000 },
		{ "12 janvier 2025 à 14:05", NULL, 1736690700 },
		{ "Le 12 Janvier 2025 à 14h05", NULL, 1736690700 },
		{ "dim. 12 janv. 2025 14:05", NULL, 1736690700 },
		{ "mar. 12 FÉVR. 2025", NULL, 1739318400 },
		{ "12 fevrier 2025", NULL, 1739318400 },
		{ "1er août 2024 à 9h30", NULL, 1722504600 },
		{ "1 AOUT 2024 09:30", NULL, 1722504600 },
		{ "12 déc. 2024", NULL, 1733961600 },
		{ "12 sept. 2024", NULL, 1726099200 },
		{ "12/01/2025", NULL, 1736640000 },
		{ "12/01/2025 14:05", NULL, 1736690700 },
		{ "12.01.25", NULL, 1736640000 },
		{ "12-01-2025 à 14:05:00", NULL, 1736690700 },
		/* Absolute, English. */
		{ "Sun Jan 12, 2025 2:05 pm", NULL, 1736690700 },
		{ "Jan 12, 2025, 2:05 PM", NULL, 1736690700 },
		{ "January 12th, 2025 at 2:05 PM", NULL, 1736690700 },
		{ "12 Jan 2025 12:30 am", NULL, 1736641800 },
		{ "Jan 12, 2025 12:05 PM", NULL, 1736683500 },
		{ "01/31/2025", NULL, 1738281600 },
		{ "12 Jan 2025 14:05 UTC", NULL, 1736690700 },
		{ "12 Jan 2025 14:05 +02:00", NULL, 1736683500 },
		{ "2025-01-12T14:05:00+0100", NULL, 1736687100 },
		{ "2025-01-12", NULL, 1736640000 },
		{ "Sun, 12 Jan 2025 14:05:00 GMT", NULL, 1736690700 },
		/* No year: this year, unless that is still to come. */
		{ "12 janv.", NULL, 1736640000 },
		{ "20 déc. à 10:00", NULL, 1734688800 },
		/* Relative. */
		{ "il y a 5 minutes", NULL, NOW - 300 },
		{ "Il y a 3 heures", NULL, NOW - 10800 },
		{ "il y a une heure", NULL, NOW - 3600 },
		{ "il y a 2 jours", NULL, NOW - 172800 },
		{ "il y a 3 semaines", NULL, NOW - 1814400 },
		{ "il y a 2 mois", NULL, NOW - 5184000 },
		{ "il y a 1 an", NULL, NOW - 31536000 },
		{ "5 minutes ago", NULL, NOW - 300 },
		{ "2 hours ago", NULL, NOW - 7200 },
		{ "an hour ago", NULL, NOW - 3600 },
		{ "3 days ago", NULL, NOW - 259200 },
		{ "Posted 10 mins ago", NULL, NOW - 600 },
		{ "hier", NULL, NOW - 86400 },
		{ "Hier à 18:02", NULL, 1736877720 },
		{ "yesterday at 6:02 PM", NULL, 1736877720 },
		{ "Yesterday, 6:02pm", NULL, 1736877720 },
		{ "avant-hier", NULL, NOW - 172800 },
		{ "aujourd'hui", NULL, NOW },
		{ "Aujourd’hui à 09:15", NULL, 1736932500 },
		{ "today at 9:15 AM", NULL, 1736932500 },
		{ "just now", NULL, NOW },
		{ "à l'instant", NULL, NOW },
		/* By format. */
		{ "12 janvier 2025, 14h05", "%d %B %Y, %Hh%M", 1736690700 },
		{ "2025|01|12 02:05 PM", "%Y|%m|%d %I:%M %p", 1736690700 },
		{ "Le 12-01-2025 à 14:05", "Le %d-%m-%Y à %H:%M", 1736690700 },
		{ "01/12/2025", "%m/%d/%Y", 1736640000 },
		{ "dim. 12 janv. 25", "%a %d %b %y", 1736640000 },
		{ "Sunday 12 Jan", "%A %d %b", 1736640000 },
		{ "12 janvier 2025", "%d/%m/%Y", INT64_MIN },
		{ "12 foo 2025", "%d %b %Y", INT64_MIN },
		/* Not dates. */
		{ "31/02/2025", NULL, INT64_MIN },
		{ "30 février 2025", NULL, INT64_MIN },
		{ "12 janvier 2025 25:10", NULL, INT64_MIN },
		{ "13:05 pm 12 Jan 2025", NULL, INT64_MIN },
		{ "bonjour", NULL, INT64_MIN },
		{ "Page 2 of 5", NULL, INT64_MIN },
		{ "", NULL, INT64_MIN },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int64_t got =
		    page_date_parse(cases[i].text, cases[i].format, NOW);
		if (got != cases[i].want)
			fail_msg("\"%s\" (%s): got %lld, want %lld",
			    cases[i].text,
			    cases[i].format ? cases[i].format : "no format",
			    (long long)got, (long long)cases[i].want);
	}
	assert_int_equal(page_date_parse(NULL, NULL, NOW), INT64_MIN);
	char long_text[1024];
	memset(long_text, '1', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	assert_int_equal(page_date_parse(long_text, NULL, NOW), INT64_MIN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phpbb),
		cmocka_unit_test(test_phpbb_last_page),
		cmocka_unit_test(test_discourse_topic),
		cmocka_unit_test(test_discourse_latest),
		cmocka_unit_test(test_xenforo),
		cmocka_unit_test(test_wordpress),
		cmocka_unit_test(test_custom_rules),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_windows_1252),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_dates),
	};

	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
