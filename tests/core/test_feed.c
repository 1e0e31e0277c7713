/*
 * test_feed.c - feed_parse on each format, the namespaces and xml:base,
 * charset precedence, and hostile documents.
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
#include "core/read/date.h"
#include "core/read/feed.h"
#include "core/read/xml.h"

static struct feed *
parse_mem(const char *data, size_t len, const char *base, const char *ct)
{
	struct feed_input in = { data, len, base, ct };
	struct feed *f = NULL;
	char err[256];

	if (feed_parse(&in, &f, err, sizeof err) < 0)
		fail_msg("feed_parse: %s", err);
	return f;
}

static struct feed *
parse_file(const char *name, const char *base)
{
	size_t len;
	char *data = fixture_read("feeds", name, &len);
	struct feed *f = parse_mem(data, len, base, NULL);

	free(data);
	return f;
}

/* Fails with the error message when parsing succeeds. */
static void
rejects(const char *data, size_t len, const char *ct, const char *want)
{
	struct feed_input in = { data, len, NULL, ct };
	struct feed *f = (struct feed *)1;
	char err[256] = "";

	/* An HTML page is told apart: its feed may be discovered. */
	assert_int_equal(feed_parse(&in, &f, err, sizeof err),
	    strcmp(want, "HTML page") == 0 ? -2 : -1);
	assert_null(f);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

#define STR(a, b) assert_string_equal((a), (b))

static void
date_is(int64_t t, const char *want)
{
	char s[DATE_RFC3339_LEN];

	date_format_rfc3339(t, s);
	STR(s, want);
}

static void
test_rss2(void **state)
{
	(void)state;
	struct feed *f = parse_file("wordpress-rss2.xml", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->title, "Atelier Lumière");
	STR(f->lang, "fr-FR");
	struct item *it = &f->items[0];
	STR(it->id, "https://atelier-lumiere.example/?p=412");
	STR(it->link,
	    "https://atelier-lumiere.example/2024/05/nouvelle-collection/");
	STR(it->title, "Nouvelle collection – printemps");
	STR(it->author, "Claire Martin");
	date_is(it->published, "2024-05-06T08:12:44Z");
	assert_true(it->updated == DATE_NONE);
	STR(it->summary,
	    "Nos lampes en laiton arrivent… Découvrez la gamme […]");
	/* content:encoded, CDATA HTML: tags, script and &nbsp; gone. */
	STR(it->content,
	    "Nos lampes en laiton arrivent. Découvrez la gamme : la boutique.");
	STR(it->lang, "fr-FR");
	date_is(f->items[1].published, "2024-04-30T15:05:00Z");
	STR(f->items[1].content, "Horaires Lundi–vendredi 10h–18h");
	feed_free(f);
}

static void
test_rss091(void **state)
{
	(void)state;
	/* The DOCTYPE names a remote DTD: it must not be fetched. */
	struct feed *f = parse_file("rss091-cdata.xml", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].title, "Tomatoes & basil");
	STR(f->items[0].summary, "Plant them together. Water daily.");
	assert_null(f->items[0].id);
	STR(f->items[1].link, "http://garden.example.org/news/2");
	STR(f->items[1].lang, "en-gb");
	feed_free(f);
}

static void
test_rdf(void **state)
{
	(void)state;
	struct feed *f = parse_file("slashdot-rdf.xml", NULL);
	assert_int_equal(f->nitems, 2);
	struct item *it = &f->items[1];
	STR(it->id,
	    "https://tech.example.org/story/24/05/06/0950/open-hardware");
	STR(it->link,
	    "https://tech.example.org/story/24/05/06/0950/"
	    "open-hardware?utm_source=rss1.0");
	STR(it->author, "BeauHD");
	date_is(it->published, "2024-05-06T13:50:00Z");
	STR(it->lang, "en-us");
	/* Escaped HTML holding an escaped entity: one level decoded each. */
	STR(f->items[0].summary,
	    "An anonymous reader writes: \"The new "
	    "kernel brings <faster> I/O.\" Read more");
	feed_free(f);
}

static void
test_atom(void **state)
{
	(void)state;
	struct feed *f = parse_file("blogger-atom.xml", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->link, "https://roadnotes.example.com/");
	struct item *it = &f->items[0];
	STR(it->id, "tag:blogger.com,1999:blog-1234567890.post-555");
	STR(it->link,
	    "https://roadnotes.example.com/2024/03/crossing-pass.html");
	STR(it->author, "Sam Lee");
	date_is(it->published, "2024-03-02T17:00:00Z");
	date_is(it->updated, "2024-03-02T18:15:30Z");
	STR(it->content, "We left at dawn. Snow & wind.");
	assert_null(it->summary);
	/* No author of its own: the feed's, as RFC 4287 says. */
	STR(f->items[1].author, "Sam Lee");
	feed_free(f);
}

static void
test_xml_base(void **state)
{
	(void)state;
	struct feed *f =
	    parse_file("atom-xmlbase.xml", "http://ignored.example/feed.atom");
	assert_int_equal(f->nitems, 4);
	STR(f->link, "https://www.example.com/blog/");
	STR(f->items[0].link,
	    "https://www.example.com/blog/2024/01/first-post.html");
	/* rel=alternate type=text/html preferred over the PDF and edit. */
	STR(f->items[1].link, "https://www.example.com/posts/second");
	STR(f->items[1].author, "someone@example.com");
	STR(f->items[2].link, "https://other.example.org/y/third");
	STR(f->items[3].link, "https://cdn.example.net/a/c");
	STR(f->items[0].lang, "en");
	STR(f->items[2].lang, "de");
	feed_free(f);
}

static void
test_base_url(void **state)
{
	static const char doc[] =
	    "<rss><channel><item><link>../p/1</link>"
	    "<guid>http://x.example/guid</guid></item><item>"
	    "<guid isPermaLink=\"false\">http://x.example/notlink</guid>"
	    "</item><item><guid>http://x.example/perma</guid></item>"
	    "</channel></rss>";

	(void)state;
	struct feed *f = parse_mem(
	    doc, sizeof doc - 1, "https://site.example/feeds/rss.xml", NULL);
	assert_int_equal(f->nitems, 3);
	STR(f->items[0].link, "https://site.example/p/1");
	assert_null(f->items[1].link);
	STR(f->items[1].id, "http://x.example/notlink");
	STR(f->items[2].link, "http://x.example/perma");
	feed_free(f);
}

static void
test_xhtml(void **state)
{
	(void)state;
	struct feed *f = parse_file("atom-xhtml.xml", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->title, "An XHTML feed");
	STR(f->items[0].title, "Escaped markup & entities");
	STR(f->items[0].summary, "Plain <not a tag> text");
	STR(f->items[0].content,
	    "First paragraph. Second strong one. item other");
	STR(f->items[1].title, "Prefixed xhtml title");
	/* Out-of-line content (src=) has no text here. */
	assert_null(f->items[1].content);
	feed_free(f);
}

static void
test_json(void **state)
{
	(void)state;
	struct feed *f = parse_file("jsonfeed-1.1.json", NULL);
	assert_int_equal(f->nitems, 3);
	struct item *it = &f->items[0];
	STR(it->title, "Going tubeless");
	STR(it->author, "Ana Ruiz");
	STR(it->content, "Fewer flats, lower pressure & more grip.");
	STR(it->summary, "Fewer flats.");
	date_is(it->published, "2024-04-01T07:00:00Z");
	date_is(it->updated, "2024-04-02T10:00:00Z");
	STR(it->lang, "es");
	it = &f->items[1];
	STR(it->id, "1042");
	/* Relative url: against feed_url when no base is given. */
	STR(it->link, "https://bikes.example.net/posts/chains");
	STR(it->author, "Workshop Team");
	STR(it->content, "Measure it every 500 km. Replace at 0.5%.");
	STR(it->lang, "en");
	assert_null(f->items[2].title);
	assert_null(f->items[2].link);
	feed_free(f);

	f = parse_file("jsonfeed-1.0.json", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].author, "Guest Writer");
	STR(f->items[1].author, "Jo Bloggs");
	feed_free(f);
}

static struct feed *
parse_str(const char *doc)
{
	return parse_mem(doc, strlen(doc), NULL, NULL);
}

static void
test_rss_default_ns(void **state)
{
	(void)state;
	/* UserLand's RSS 2.0 namespace as the default one. */
	struct feed *f = parse_str(
	    "<rss version='2.0' xmlns='http://backend.userland.com/rss2'>"
	    "<channel><title>C</title><item><title>T</title>"
	    "<link>https://a.example/1</link><author>Jo</author>"
	    "<pubDate>Mon, 06 May 2024 08:12:44 GMT</pubDate>"
	    "</item></channel></rss>");
	assert_int_equal(f->nitems, 1);
	STR(f->title, "C");
	STR(f->items[0].title, "T");
	STR(f->items[0].link, "https://a.example/1");
	STR(f->items[0].author, "Jo");
	date_is(f->items[0].published, "2024-05-06T08:12:44Z");
	feed_free(f);
}

/* Namespace names as feeds spell them: Harvard's RSS 2.0 namespace as
 * the default one; iTunes' with capitals. */
static void
test_rss_ns_spelling(void **state)
{
	(void)state;
	struct feed *f = parse_str(
	    "<rss version='2.0' xmlns='http://blogs.law.harvard.edu/tech/rss'>"
	    "<channel><item><title>T</title>"
	    "<link>https://a.example/1</link></item></channel></rss>");
	assert_int_equal(f->nitems, 1);
	STR(f->items[0].title, "T");
	STR(f->items[0].link, "https://a.example/1");
	feed_free(f);

	f = parse_str(
	    "<rss version='2.0' "
	    "xmlns:itunes='http://www.itunes.com/DTDs/Podcast-1.0.dtd'>"
	    "<channel><item><title>E</title>"
	    "<itunes:author>Mark</itunes:author></item></channel></rss>");
	assert_int_equal(f->nitems, 1);
	STR(f->items[0].author, "Mark");
	feed_free(f);

	/* A namespace of another vocabulary is not taken for RSS. */
	f = parse_str("<rss version='2.0' xmlns:x='http://other.example/rss'>"
	              "<channel><item><title>T</title><x:author>No</x:author>"
	              "</item></channel></rss>");
	assert_int_equal(f->nitems, 1);
	assert_null(f->items[0].author);
	feed_free(f);
}

/* RSS 2.0 items straight under <rss>, the channel forgotten. */
static void
test_rss_no_channel(void **state)
{
	(void)state;
	struct feed *f = parse_str("<rss version='2.0'><item><title>T</title>"
	                           "<description>D</description></item></rss>");
	assert_int_equal(f->nitems, 1);
	STR(f->items[0].title, "T");
	STR(f->items[0].summary, "D");
	feed_free(f);
}

/* Several links: the last that gives a URL, from its text or its href.
 * Atom's author and dates stand in for the item's own. */
static void
test_rss_links_and_atom(void **state)
{
	(void)state;
	struct feed *f = parse_str(
	    "<rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom'>"
	    "<channel><item><link>https://a.example/1</link><link/>"
	    "<link href='https://a.example/3'/>"
	    "<atom:author><atom:name>Jo</atom:name>"
	    "<atom:email>jo@a.example</atom:email></atom:author>"
	    "<atom:published>2019-01-02T15:04:05Z</atom:published>"
	    "</item><item><link>https://a.example/4</link><link></link>"
	    "<author>Al</author><pubDate>Mon, 06 May 2024 08:12:44 GMT"
	    "</pubDate><atom:author><atom:name>No</atom:name></atom:author>"
	    "<atom:published>2019-01-02T15:04:05Z</atom:published>"
	    "</item></channel></rss>");
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].link, "https://a.example/3");
	STR(f->items[0].author, "Jo");
	date_is(f->items[0].published, "2019-01-02T15:04:05Z");
	STR(f->items[1].link, "https://a.example/4");
	STR(f->items[1].author, "Al");
	date_is(f->items[1].published, "2024-05-06T08:12:44Z");
	feed_free(f);
}

/* Google News names each article's publisher in <source url>. */
static void
test_rss_source(void **state)
{
	(void)state;
	static const char doc[] =
	    "<rss version='2.0'><channel><item><title>Acme - Le Monde</title>"
	    "<link>https://news.google.com/rss/articles/CBMi?oc=5</link>"
	    "<source url='https://www.lemonde.fr'>Le Monde</source></item>"
	    "<item><title>T</title><source>No address</source></item>"
	    "<item><title>R</title><source url='/rel'>Relative</source></item>"
	    "</channel></rss>";
	struct feed *f = parse_mem(doc, sizeof doc - 1,
	    "https://news.google.com/rss/search?q=acme", NULL);
	assert_int_equal(f->nitems, 3);
	STR(f->items[0].relayed_from, "https://www.lemonde.fr/");
	assert_null(f->items[1].relayed_from);
	STR(f->items[2].relayed_from, "https://news.google.com/rel");
	feed_free(f);
}

/* An RSS author's name without its address, whichever side it is on. */
static void
test_rss_author_name(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "jo@example.com (Jo Lee)", "Jo Lee" },
		{ "Jo Lee (jo@example.com)", "Jo Lee" },
		{ "Jo Lee  ( jo@example.com )", "Jo Lee" },
		{ "jo@example.com", "jo@example.com" },
		{ "Jo (Paris)", "Jo (Paris)" },
		{ "jo@example.com ( )", "jo@example.com ( )" },
		{ "@b (Jo)", "@b (Jo)" },
		{ "(x)", "(x)" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *doc = xasprintf("<rss version='2.0'><channel><item>"
		                      "<title>T</title><author>%s</author>"
		                      "</item></channel></rss>",
		    cases[i][0]);
		struct feed *f = parse_str(doc);
		assert_int_equal(f->nitems, 1);
		STR(f->items[0].author, cases[i][1]);
		feed_free(f);
		free(doc);
	}
}

#define RSS_NS \
	"xmlns:dc='http://purl.org/dc/elements/1.1/' " \
	"xmlns:dcterms='http://purl.org/dc/terms/' " \
	"xmlns:media='http://search.yahoo.com/mrss/' " \
	"xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'"

static void
test_rss_vocabularies(void **state)
{
	(void)state;
	struct feed *f =
	    parse_str("<rss " RSS_NS "><channel>"
	              "<item><dc:title>DC</dc:title>"
	              "<dc:author>A</dc:author>"
	              "<dcterms:issued>2024-05-06</dcterms:issued>"
	              "<dcterms:modified>2024-05-07</dcterms:modified>"
	              "</item>"
	              "<item><media:title>M</media:title>"
	              "<media:description>D</media:description>"
	              "<itunes:author>I</itunes:author></item>"
	              "<item><title>T</title><media:title>M</media:title>"
	              "<author>first</author><dc:creator>second</dc:creator>"
	              "<itunes:author>last</itunes:author></item>"
	              "</channel></rss>");
	assert_int_equal(f->nitems, 3);
	STR(f->items[0].title, "DC");
	STR(f->items[0].author, "A");
	date_is(f->items[0].published, "2024-05-06T00:00:00Z");
	date_is(f->items[0].updated, "2024-05-07T00:00:00Z");
	/* Media RSS and iTunes only stand in for what is missing. */
	STR(f->items[1].title, "M");
	STR(f->items[1].summary, "D");
	STR(f->items[1].author, "I");
	STR(f->items[2].title, "T");
	/* Several authors: the last one written. */
	STR(f->items[2].author, "last");
	feed_free(f);
}

static void
test_links_elsewhere(void **state)
{
	(void)state;
	struct feed *f = parse_str(
	    "<feed xmlns='http://www.w3.org/2005/Atom'>"
	    "<entry><id>urn:1</id><link>https://a.example/text</link></entry>"
	    "<entry><id>urn:2</id><link rel='enclosure' "
	    "href='https://a.example/a.mp3'/></entry>"
	    "<entry><id>https://a.example/id</id></entry>"
	    "<entry><id>javascript:alert(1)</id></entry>"
	    "<entry><id>urn:5</id><author><name>X</name></author>"
	    "<author><name>Y</name></author></entry>"
	    "</feed>");
	assert_int_equal(f->nitems, 5);
	STR(f->items[0].link, "https://a.example/text");
	STR(f->items[1].link, "https://a.example/a.mp3");
	STR(f->items[2].link, "https://a.example/id");
	/* Only a web address may stand in for a link. */
	assert_null(f->items[3].link);
	STR(f->items[4].author, "Y");
	feed_free(f);

	f = parse_str(
	    "<rss><channel>"
	    "<item><guid isPermaLink='true'>https://a.example/g</guid>"
	    "</item><item><guid isPermaLink='false'>"
	    "https://a.example/h</guid></item>"
	    "<item><guid>ftp://a.example/f</guid></item>"
	    "</channel></rss>");
	STR(f->items[0].link, "https://a.example/g");
	assert_null(f->items[1].link);
	assert_null(f->items[2].link);
	feed_free(f);
}

static void
test_references(void **state)
{
	(void)state;
	/* A bare '&' keeps the rest of the URL, and does not make later
	 * references vanish; "&#X" is read as "&#x"; an HTML entity with no
	 * DTD is decoded by the HTML reading of RSS text; CDATA, comments and
	 * malformed references are left as they are. */
	struct feed *f = parse_str(
	    "<rss><channel><item><link>https://a.example/?a=1&b=2</link>"
	    "<title>Caf&#XE9; &amp; th&eacute; &</title><guid>g&#XZZ;&#x;&;</guid>"
	    "<!-- a & b --><description><![CDATA[x &amp; y]]></description>"
	    "</item><item><title>R&amp;D &lt;3</title></item>"
	    "</channel></rss>");
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].link, "https://a.example/?a=1&b=2");
	STR(f->items[0].title, "Café & thé &");
	STR(f->items[0].id, "g&#XZZ;&#x;&;");
	STR(f->items[0].summary, "x & y");
	STR(f->items[1].title, "R&D <3");
	feed_free(f);

	/* Entities the internal subset declares are read as declared; the
	 * others are HTML's, as without a DTD. */
	f = parse_str("<!DOCTYPE rss [<!ENTITY co \"Acme\">]>"
	              "<rss><channel><item><title>&co; &eacute;t & co</title>"
	              "</item></channel></rss>");
	STR(f->items[0].title, "Acme ét & co");
	feed_free(f);

	/* A subset too large to search for every reference: its names are
	 * left to libxml2, which drops the undeclared one. */
	enum { PAD = 70 << 10 };
	static char big[PAD + 200];
	int n = sprintf(big, "<!DOCTYPE rss [<!-- ");
	memset(big + n, 'x', PAD);
	sprintf(big + n + PAD,
	    " -->]><rss><channel><item><title>a&eacute;b"
	    "</title></item></channel></rss>");
	f = parse_str(big);
	STR(f->items[0].title, "ab");
	feed_free(f);

	/* An unterminated CDATA section runs to the end, '&' and all. */
	f = parse_str("<rss><channel><item><title>t</title><description>"
	              "<![CDATA[a & b");
	STR(f->items[0].title, "t");
	feed_free(f);
}

static void
test_base64(void **state)
{
	(void)state;
	struct feed *f =
	    parse_str("<feed xmlns='http://purl.org/atom/ns#'>"
	              "<entry><title mode='base64'>aGVsbG8g\n d29ybGQ=</title>"
	              "<content type='text/html' mode='base64'>"
	              "PHA+YSAmYW1wOyBiPC9wPg==</content></entry>"
	              "<entry><title mode='base64'>not base64!</title>"
	              "<content mode='base64'>aGk=x</content>"
	              "<summary mode='base64'>/w==</summary></entry>"
	              "</feed>");
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].title, "hello world");
	STR(f->items[0].content, "a & b");
	/* Garbage is not text; undecodable bytes become U+FFFD. */
	assert_null(f->items[1].title);
	assert_null(f->items[1].content);
	STR(f->items[1].summary, "\xef\xbf\xbd");
	feed_free(f);
}

static void
test_latin1(void **state)
{
	(void)state;
	struct feed *f = parse_file("lequotidien-latin1.xml", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].title,
	    "Élections municipales : les résultats à Orléans");
	STR(f->items[0].summary,
	    "Le maire sortant est réélu dès le premier tour : 54 % des voix.");
	STR(f->items[0].author, "Rédaction");
	/* guid with isPermaLink unspecified stands for the link. */
	STR(f->items[1].link,
	    "https://www.quotidien-du-val.example/culture/fete-musique.html");
	feed_free(f);
}

static void
test_cp1252_fallback(void **state)
{
	(void)state;
	struct feed *f = parse_file("broken-cp1252.xml", NULL);
	assert_int_equal(f->nitems, 1);
	STR(f->items[0].title, "“Best” café in town – again");
	STR(f->items[0].summary,
	    "Voted «best» by readers… naïve prices at €2.");
	feed_free(f);
}

/* "\xc3\xa9" reads "é" in UTF-8 and "Ã©" in Latin-1. */
static const char *
title_of(const char *doc, size_t len, const char *ct)
{
	static char title[64];
	struct feed *f = parse_mem(doc, len, NULL, ct);

	assert_int_equal(f->nitems, 1);
	snprintf(title, sizeof title, "%s", f->items[0].title);
	feed_free(f);
	return title;
}

#define ITEM \
	"<rss><channel><item><title>caf\xc3\xa9</title></item></channel></rss>"
#define DECL_LATIN1 "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
#define BOM8 "\xef\xbb\xbf"

static void
test_charset_precedence(void **state)
{
	static const char decl[] = DECL_LATIN1 ITEM;
	static const char bom_decl[] = BOM8 DECL_LATIN1 ITEM;
	static const char bom[] = BOM8 ITEM;
	static const char plain[] = ITEM;

	(void)state;
	STR(title_of(plain, sizeof plain - 1, NULL), "café");
	STR(title_of(decl, sizeof decl - 1, NULL), "cafÃ©");
	/* HTTP over the declaration. */
	STR(title_of(decl, sizeof decl - 1, "text/xml; charset=\"utf-8\""),
	    "café");
	STR(title_of(plain, sizeof plain - 1,
	        "application/rss+xml;charset=iso-8859-1"),
	    "cafÃ©");
	/* The declaration over the BOM. */
	STR(title_of(bom_decl, sizeof bom_decl - 1, NULL), "cafÃ©");
	STR(title_of(bom, sizeof bom - 1, NULL), "café");
	/* HTTP over the BOM. */
	STR(title_of(bom, sizeof bom - 1, "text/xml; charset=latin1"), "cafÃ©");
}

static void
test_utf16_bom(void **state)
{
	static const char ascii[] = "<rss><channel><item><title>caf\xe9"
	                            "</title></item></channel></rss>";
	char doc[2 + 2 * sizeof ascii];
	size_t len = 2;

	(void)state;
	doc[0] = '\xff';
	doc[1] = '\xfe';
	for (size_t i = 0; i < sizeof ascii - 1; i++) {
		doc[len++] = ascii[i];
		doc[len++] = '\0';
	}
	STR(title_of(doc, len, NULL), "café");
}

static void
test_false_utf16_decl(void **state)
{
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>" ITEM;

	(void)state;
	STR(title_of(doc, sizeof doc - 1, NULL), "café");
}

static void
test_xxe(void **state)
{
	(void)state;
	struct feed *f = parse_file("hostile-xxe.xml", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].title, "Leak:");
	assert_null(strstr(f->items[0].summary, "root"));
	/* A plain internal entity still reads. */
	STR(f->items[0].summary, "Remote: local: Acme end");
	STR(f->items[1].title, "Second item survives");
	feed_free(f);
}

static void
test_billion_laughs(void **state)
{
	(void)state;
	struct feed *f = parse_file("hostile-billion-laughs.xml", NULL);
	assert_true(f->nitems <= 1);
	for (size_t i = 0; i < f->nitems; i++) {
		assert_true(f->items[i].title == NULL ||
		    strlen(f->items[i].title) < 100);
		assert_true(f->items[i].summary == NULL ||
		    strlen(f->items[i].summary) < 100);
	}
	feed_free(f);
}

/* One large entity referenced many times: each reference alone is
 * harmless, together they would be gigabytes. */
static void
test_quadratic_blowup(void **state)
{
	static const char head[] = "<!DOCTYPE rss [<!ENTITY a \"";
	static const char mid[] = "\">]><rss><channel><item><title>";
	static const char tail[] = "</title><link>http://q.example/</link>"
	                           "</item></channel></rss>";
	size_t refs = 100000, len = 0;
	char *doc =
	    malloc(sizeof head + 1000 + sizeof mid + 3 * refs + sizeof tail);

	(void)state;
	assert_non_null(doc);
	memcpy(doc, head, sizeof head - 1);
	len += sizeof head - 1;
	memset(doc + len, 'x', 1000);
	len += 1000;
	memcpy(doc + len, mid, sizeof mid - 1);
	len += sizeof mid - 1;
	for (size_t i = 0; i < refs; i++, len += 3)
		memcpy(doc + len, "&a;", 3);
	memcpy(doc + len, tail, sizeof tail - 1);
	len += sizeof tail - 1;
	struct feed *f = parse_mem(doc, len, NULL, NULL);
	free(doc);
	assert_int_equal(f->nitems, 1);
	assert_non_null(f->items[0].title);
	assert_true(strlen(f->items[0].title) <= (1 << 20));
	STR(f->items[0].link, "http://q.example/");
	feed_free(f);
}

static void
test_truncated(void **state)
{
	(void)state;
	struct feed *f = parse_file("truncated.xml", NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].title, "Complete item");
	STR(f->items[1].link, "http://cut.example/2");
	STR(f->items[1].summary, "Half a senten");
	feed_free(f);
}

static void
test_rejected(void **state)
{
	static const char html[] = "<html><head><title>x</title></head>"
	                           "<body>hi</body></html>";
	static const char deep[] =
	    "{\"items\":[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]";
	size_t len;
	char *page = fixture_read("feeds", "not-a-feed.html", &len);

	(void)state;
	rejects(page, len, NULL, "HTML page");
	free(page);
	rejects(html, sizeof html - 1, NULL, "HTML page");
	rejects("", 0, NULL, "empty");
	rejects(" \r\n\t ", 5, NULL, "empty");
	rejects("hello world", 11, NULL, "neither XML nor JSON");
	rejects("<opml version=\"2.0\"><body/></opml>", 34, NULL,
	    "not a feed (root element <opml>)");
	rejects("<<<<>>>>", 8, NULL, "not XML");
	rejects("{\"title\":\"x\"}", 13, NULL, "JSON without items");
	rejects("{\"items\":[", 10, NULL, "not JSON");
	rejects("[]", 2, "application/feed+json", "JSON without items");
	/* Nesting past the limit costs the values past it; this never
	 * closes, and is no JSON. */
	rejects(deep, sizeof deep - 1, NULL, "not JSON");
}

/* A feed of three items whose second holds text, with "%s" in it
 * replaced by hostile. */
static struct feed *
three_items(const char *head, const char *fmt, const char *hostile)
{
	struct buf b;
	struct feed *f;

	buf_init(&b);
	buf_puts(&b, head);
	buf_printf(&b, fmt, "1", "one", "");
	buf_printf(&b, fmt, "2", "two", hostile);
	buf_printf(&b, fmt, "3", "three", "");
	buf_puts(&b, strstr(head, "<feed") ? "</feed>" : "</channel></rss>");
	f = parse_mem(b.data, b.len, NULL, NULL);
	buf_clear(&b);
	return f;
}

/* One hostile item stops libxml2 (nesting past its limit, entities past
 * theirs): the items after it are still read, and the feed says what was
 * left out. */
static void
test_read_on(void **state)
{
	static const char rss[] = "<?xml version=\"1.0\"?><rss version=\"2.0\">"
	                          "<channel><title>t</title>";
	static const char rss_item[] = "<item><guid>%s</guid><title>%s</title>"
	                               "<description>%s</description></item>";
	static const char bomb[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE rss ["
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	    "]><rss version=\"2.0\"><channel><title>t</title>";
	static const char atom[] =
	    "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\""
	    " xml:base=\"https://a.example/\"><title>t</title>";
	static const char atom_entry[] =
	    "<entry><id>%s</id><title>%s</title><link href=\"p\"/>"
	    "<summary>%s</summary></entry>";
	size_t depth = 100000;
	char *deep = malloc(depth * 7 + 1);
	struct feed *f;

	(void)state;
	assert_non_null(deep);
	for (size_t i = 0; i < depth; i++)
		memcpy(deep + i * 3, "<x>", 3);
	for (size_t i = 0; i < depth; i++)
		memcpy(deep + depth * 3 + i * 4, "</x>", 4);
	deep[depth * 7] = '\0';

	f = three_items(rss, rss_item, deep);
	assert_int_equal(f->nitems, 3);
	STR(f->items[2].id, "3");
	STR(f->items[2].title, "three");
	assert_non_null(f->skipped);
	assert_non_null(strstr(f->skipped, "depth"));
	STR(f->title, "t");
	feed_free(f);

	f = three_items(bomb, rss_item, "&h;");
	assert_int_equal(f->nitems, 3);
	STR(f->items[2].title, "three");
	assert_non_null(f->skipped);
	feed_free(f);

	/* Atom: the entries read alone keep the root's namespace and base. */
	f = three_items(atom, atom_entry, deep);
	assert_int_equal(f->nitems, 3);
	STR(f->items[2].id, "3");
	STR(f->items[2].link, "https://a.example/p");
	assert_non_null(f->skipped);
	feed_free(f);

	/* Nothing hostile: nothing said. */
	f = three_items(rss, rss_item, "fine");
	assert_int_equal(f->nitems, 3);
	assert_null(f->skipped);
	feed_free(f);
	free(deep);
}

/* A JSON Feed keeps its items past a NUL escape or an extension nested
 * without end. */
static void
test_json_hostile(void **state)
{
	static const char nul[] =
	    "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":["
	    "{\"id\":\"1\",\"title\":\"Acme\\u0000 one\","
	    "\"url\":\"https://a.example/1\\u0000evil\"},"
	    "{\"id\":\"2\",\"title\":\"two\",\"url\":\"https://a.example/2\"}]}";
	struct buf b;
	struct feed *f;

	(void)state;
	f = parse_mem(nul, sizeof nul - 1, NULL, NULL);
	assert_int_equal(f->nitems, 2);
	STR(f->items[0].title, "Acme one");
	/* A URL cut at its NUL would be another URL: none. */
	assert_null(f->items[0].link);
	STR(f->items[1].link, "https://a.example/2");
	assert_null(f->skipped);
	feed_free(f);

	buf_init(&b);
	buf_puts(&b,
	    "{\"items\":[{\"id\":\"1\",\"title\":\"one\"},"
	    "{\"id\":\"2\",\"title\":\"two\",\"_ext\":");
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "[{\"a\":\"]\\\"[\",\"b\":");
	buf_puts(&b, "0");
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "}]");
	buf_puts(&b, "},{\"id\":\"3\",\"title\":\"three\"}]}");
	f = parse_mem(b.data, b.len, NULL, NULL);
	assert_int_equal(f->nitems, 3);
	STR(f->items[1].title, "two");
	STR(f->items[2].title, "three");
	assert_non_null(f->skipped);
	feed_free(f);
	buf_clear(&b);
}

/* Random bytes, and random bytes behind plausible openings: any result
 * is fine as long as it comes back. */
static void
test_garbage(void **state)
{
	static const char *const heads[] = { "", "<", "{", "<rss><channel>",
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>",
		"{\"items\":[{\"title\":\"",
		("\xef\xbb\xbf<?xml version=\"1.0\" "
		 "encoding=\"x-nonexistent\"?><rss><channel><item><title>") };
	unsigned seed = 12345;
	char buf[4096];

	(void)state;
	for (int round = 0; round < 300; round++) {
		const char *h = heads[round % (sizeof heads / sizeof *heads)];
		size_t hl = strlen(h);
		memcpy(buf, h, hl);
		size_t n = hl + (size_t)(round * 13) % (sizeof buf - hl);
		for (size_t i = hl; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
		}
		struct feed_input in = { buf, n, NULL, NULL };
		struct feed *f;
		char err[256];
		err[0] = '\0';
		if (feed_parse(&in, &f, err, sizeof err) == 0) {
			assert_non_null(f);
			feed_free(f);
		} else {
			/* Refused input says why. */
			assert_true(err[0] != '\0');
		}
	}
}

static int
setup(void **state)
{
	(void)state;
	xml_global_init();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss2),
		cmocka_unit_test(test_rss091),
		cmocka_unit_test(test_rdf),
		cmocka_unit_test(test_atom),
		cmocka_unit_test(test_xml_base),
		cmocka_unit_test(test_base_url),
		cmocka_unit_test(test_xhtml),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_rss_default_ns),
		cmocka_unit_test(test_rss_ns_spelling),
		cmocka_unit_test(test_rss_no_channel),
		cmocka_unit_test(test_rss_source),
		cmocka_unit_test(test_rss_author_name),
		cmocka_unit_test(test_rss_links_and_atom),
		cmocka_unit_test(test_rss_vocabularies),
		cmocka_unit_test(test_links_elsewhere),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_latin1),
		cmocka_unit_test(test_cp1252_fallback),
		cmocka_unit_test(test_charset_precedence),
		cmocka_unit_test(test_utf16_bom),
		cmocka_unit_test(test_false_utf16_decl),
		cmocka_unit_test(test_xxe),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_quadratic_blowup),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_read_on),
		cmocka_unit_test(test_json_hostile),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
