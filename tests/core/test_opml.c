/*
 * test_opml.c - OPML import through opml_read(): outlines in nested
 * folders in document order, duplicates kept for the configuration to
 * judge, a file that is not well-formed reported as FILE:LINE, and no
 * external entity or DTD ever loaded on the file's say-so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/base/util.h"
#include "core/config/opml.h"
#include "core/read/xml.h"

/* A directory of its own per test, removed with what it holds. */
struct tmp {
	char dir[64];
	char path[128];
	char extra[128];
};

static void
tmp_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
tmp_open(struct tmp *t, const char *text)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/vigie-test-opml-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/feeds.opml", t->dir);
	snprintf(t->extra, sizeof t->extra, "%s/extra", t->dir);
	tmp_write(t->path, text);
}

static void
tmp_close(struct tmp *t)
{
	unlink(t->path);
	unlink(t->extra);
	assert_int_equal(rmdir(t->dir), 0);
}

/* One imported feed: its URL, title (NULL: none) and line. */
static void
feed_is(const struct opml_feed *f, const char *url, const char *title, int line)
{
	assert_string_equal(f->url, url);
	if (title == NULL)
		assert_null(f->title);
	else
		assert_string_equal(f->title, title);
	assert_int_equal(f->line, line);
}

/* The feeds of an OPML file holding text, which must read cleanly and
 * give n of them; free with opml_free(..., n). */
static struct opml_feed *
read_ok(const char *text, size_t n)
{
	struct tmp t;
	struct opml_feed *f;
	size_t got;
	struct diag d = { 0 };

	tmp_open(&t, text);
	assert_int_equal(opml_read(t.path, &f, &got, &d), 0);
	assert_int_equal(d.len, 0);
	assert_int_equal(got, n);
	tmp_close(&t);
	return f;
}

static void
test_nested(void **state)
{
	static const char text[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\"><head><title>Mine</title></head><body>\n"
	    "<outline text=\"News\">\n"
	    "  <outline text=\"Tech\">\n"
	    "    <outline text=\"Deep\">\n"
	    "      <outline type=\"rss\" text=\"Caf\xc3\xa9\" "
	    "xmlUrl=\" https://a.example/feed \"/>\n"
	    "    </outline>\n"
	    "    <outline title=\"Only a title\" xmlURL=\"https://b.example/rss\"/>\n"
	    "  </outline>\n"
	    "  <outline xmlurl=\"https://c.example/atom\"/>\n"
	    "</outline>\n"
	    "<outline text=\"Empty folder\" xmlUrl=\"  \"/>\n"
	    "<outline text=\"Last\" xmlUrl=\"https://d.example/\"/>\n"
	    "</body></opml>\n";
	struct opml_feed *f;

	(void)state;
	f = read_ok(text, 4);
	/* Depth-first, in document order; blanks trimmed. */
	feed_is(&f[0], "https://a.example/feed", "Caf\xc3\xa9", 6);
	/* xmlUrl in any case, the title attribute when there is no text. */
	feed_is(&f[1], "https://b.example/rss", "Only a title", 8);
	feed_is(&f[2], "https://c.example/atom", NULL, 10);
	/* The folder with a blank xmlUrl is not a feed. */
	feed_is(&f[3], "https://d.example/", "Last", 13);
	opml_free(f, 4);
}

static void
test_duplicates(void **state)
{
	static const char text[] =
	    "<opml version=\"1.0\"><body>\n"
	    "<outline text=\"One\" xmlUrl=\"https://x.example/f\"/>\n"
	    "<outline text=\"Folder\">\n"
	    "<outline text=\"Two\" xmlUrl=\"https://x.example/f\"/>\n"
	    "</outline>\n"
	    "</body></opml>\n";
	struct opml_feed *f;

	(void)state;
	/* Both kept, each with its line: which one wins is the
	 * configuration's rule, and its message needs both places. */
	f = read_ok(text, 2);
	feed_is(&f[0], "https://x.example/f", "One", 2);
	feed_is(&f[1], "https://x.example/f", "Two", 4);
	opml_free(f, 2);
}

static void
test_not_well_formed(void **state)
{
	static const char text[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<opml><body>\n"
	    "<outline text=\"A\" xmlUrl=\"https://a.example/\">\n"
	    "</body>\n"
	    "</opml>\n";
	struct tmp t;
	struct opml_feed *f;
	size_t n;
	struct diag d = { 0 };
	char want[256];

	(void)state;
	tmp_open(&t, text);
	assert_int_equal(opml_read(t.path, &f, &n, &d), -1);
	assert_null(f);
	assert_int_equal(n, 0);
	assert_int_equal(d.len, 1);
	/* The line where libxml2 gave up (the end, with <outline> still
	 * open); its own words after. */
	snprintf(want, sizeof want, "%s:6: not well-formed XML: ", t.path);
	assert_memory_equal(d.msgs[0], want, strlen(want));
	assert_null(strchr(d.msgs[0], '\n'));
	diag_clear(&d);

	/* Well-formed, but not OPML. */
	tmp_write(t.path, "<?xml version=\"1.0\"?>\n<rss><channel/></rss>\n");
	assert_int_equal(opml_read(t.path, &f, &n, &d), -1);
	assert_int_equal(d.len, 1);
	snprintf(want, sizeof want,
	    "%s:2: not an OPML document (root element <rss>, expected <opml>)",
	    t.path);
	assert_string_equal(d.msgs[0], want);
	diag_clear(&d);
	tmp_close(&t);
}

/*
 * The file names another file as its DTD, as a parameter entity and as
 * an external entity. That file would give every outline a default
 * xmlUrl and declare an entity naming a feed of its own. It may not be
 * read: the outline without xmlUrl stays without one, and the entity's
 * text appears nowhere.
 */
static void
test_external_entity(void **state)
{
	struct tmp t;
	struct opml_feed *f;
	size_t n;
	struct diag d = { 0 };
	char text[1024];

	(void)state;
	tmp_open(&t, "");
	tmp_write(t.extra,
	    "<!ATTLIST outline xmlUrl CDATA \"https://leak.example/dtd\">\n"
	    "<!ENTITY leak \"https://leak.example/entity\">\n");
	snprintf(text, sizeof text,
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE opml SYSTEM \"file://%s\" [\n"
	    "<!ENTITY ext SYSTEM \"file://%s\">\n"
	    "<!ENTITY %% pe SYSTEM \"file://%s\">\n"
	    "%%pe;\n"
	    "]>\n"
	    "<opml><body>\n"
	    "<outline text=\"No url\"/>\n"
	    "<outline text=\"T&leak;\" xmlUrl=\"https://ok.example/&leak;\"/>\n"
	    "<outline text=\"Folder\">&ext;</outline>\n"
	    "</body></opml>\n",
	    t.extra, t.extra, t.extra);
	tmp_write(t.path, text);
	assert_int_equal(opml_read(t.path, &f, &n, &d), 0);
	assert_int_equal(d.len, 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].url, "https://ok.example/");
	assert_string_equal(f[0].title, "T");
	opml_free(f, n);
	tmp_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_not_well_formed),
		cmocka_unit_test(test_external_entity),
	};

	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
