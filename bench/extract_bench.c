/*
 * extract_bench.c - speed and memory of HTML extraction: pages per second
 * and MB/s over the page fixtures and over generated forum pages, and the
 * peak memory libxml2 holds for one page.
 *
 * Memory is measured by routing libxml2's allocations (the parsed tree,
 * its dictionary, XPath node sets) through counting wrappers installed
 * with xmlMemSetup: the peak of live bytes during one extraction. The
 * page's UTF-8 copy, held while it is parsed, comes on top (about the
 * page's size).
 *
 * Usage: extract_bench FIXTURES_DIR [seconds per case]
 */
#include <libxml/xmlmemory.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/read/extract.h"
#include "core/read/xml.h"

/* Live bytes of libxml2 and their peak; each block carries its size. */
static size_t live, peak;

#define HDR 16

static void *
count_malloc(size_t n)
{
	unsigned char *p = malloc(n + HDR);

	if (p == NULL)
		return NULL;
	memcpy(p, &n, sizeof n);
	live += n;
	if (live > peak)
		peak = live;
	return p + HDR;
}

static void
count_free(void *q)
{
	size_t n;

	if (q == NULL)
		return;
	unsigned char *p = (unsigned char *)q - HDR;
	memcpy(&n, p, sizeof n);
	live -= n;
	free(p);
}

static void *
count_realloc(void *q, size_t n)
{
	size_t old = 0;
	unsigned char *p = q ? (unsigned char *)q - HDR : NULL;

	if (p != NULL)
		memcpy(&old, p, sizeof old);
	p = realloc(p, n + HDR);
	if (p == NULL)
		return NULL;
	memcpy(p, &n, sizeof n);
	live = live - old + n;
	if (live > peak)
		peak = live;
	return p + HDR;
}

static char *
count_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = count_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static char *
slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	struct buf b;
	char chunk[65536];
	size_t n;

	snprintf(path, sizeof path, "%s/pages/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_release(&b);
}

/* A phpBB topic page of nposts posts, each quoting the one before. */
static char *
forum_page(int nposts, size_t *len)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b,
	    "<!DOCTYPE html><html lang=\"fr\"><head><meta "
	    "charset=\"utf-8\"><title>Sujet</title></head><body>");
	for (int i = 0; i < nposts; i++)
		buf_printf(&b,
		    "<div id=\"p%d\" class=\"post has-profile bg%d\"><div "
		    "class=\"inner\"><dl class=\"postprofile\"><dt><a "
		    "href=\"./memberlist.php?mode=viewprofile&amp;u=%d\" "
		    "class=\"username\">membre%d</a></dt></dl><div "
		    "class=\"postbody\"><h3><a "
		    "href=\"./viewtopic.php?p=%d#p%d\">Re: Box en panne</a></h3>"
		    "<p class=\"author\">par <strong>membre%d</strong> &raquo; "
		    "<time datetime=\"2025-01-12T13:%02d:00+00:00\">dim. 12 "
		    "janv. 2025</time></p><div class=\"content\"><blockquote>"
		    "<div><cite>membre%d a écrit :</cite>La box redémarre "
		    "encore, le support ne répond pas.</div></blockquote>Même "
		    "problème chez moi depuis la mise à jour de dimanche, "
		    "c'est inadmissible. J'ai appelé trois fois, on m'a promis "
		    "un rappel qui n'est jamais venu. Quelqu'un a une "
		    "solution ?</div><div class=\"signature\">Fibre &mdash; "
		    "Lyon</div></div></div></div>\n",
		    i, i % 2 + 1, i % 97, i % 97, i, i, i % 97, i % 60,
		    (i + 96) % 97);
	buf_puts(&b,
	    "<div class=\"pagination\"><ul><li class=\"arrow "
	    "next\"><a href=\"./viewtopic.php?t=1&amp;start=50\">"
	    "Suivante</a></li></ul></div></body></html>");
	*len = b.len;
	return buf_release(&b);
}

static void
bench(const char *label, const char *preset, const char *data, size_t len,
    double secs)
{
	const struct extract_rules *r = extract_preset(preset);
	struct extract_input in = { data, len, "https://forum.example/t/1",
		NULL, 1736942400 };
	char err[256];
	size_t pages = 0, items = 0;
	size_t page_peak = 0;
	int64_t t0 = now_mono_ms(), t;

	do {
		struct feed *f = NULL;
		char *next = NULL;
		size_t before = live;

		peak = live;
		if (extract_html(r, &in, &f, &next, NULL, err, sizeof err) ==
		    -1) {
			fprintf(stderr, "%s: %s\n", label, err);
			exit(1);
		}
		if (peak - before > page_peak)
			page_peak = peak - before;
		items = f->nitems;
		feed_free(f);
		free(next);
		pages++;
		t = now_mono_ms();
	} while (t - t0 < (int64_t)(secs * 1000));
	double el = (double)(t - t0) / 1000.0;
	printf("%-28s %-10s %9zu %6zu %10.0f %8.1f %10.0f\n", label, preset,
	    len, items, (double)pages / el,
	    (double)pages * (double)len / el / 1e6, (double)page_peak / 1024.0);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *file, *preset;
	} fixtures[] = {
		{ "phpbb-topic.html", "phpbb" },
		{ "discourse-topic.html", "discourse" },
		{ "discourse-latest.html", "discourse" },
		{ "xenforo-thread.html", "xenforo" },
		{ "wordpress-home.html", "wordpress" },
	};
	double secs = argc > 2 ? atof(argv[2]) : 2.0;

	if (argc < 2) {
		fprintf(
		    stderr, "usage: extract_bench FIXTURES_DIR [seconds]\n");
		return 2;
	}
	if (xmlMemSetup(
	        count_free, count_malloc, count_realloc, count_strdup) != 0) {
		fprintf(stderr, "xmlMemSetup failed\n");
		return 1;
	}
	xml_global_init();
	printf("%-28s %-10s %9s %6s %10s %8s %10s\n", "page", "preset", "bytes",
	    "items", "pages/s", "MB/s", "peak KiB");
	for (size_t i = 0; i < ARRAY_LEN(fixtures); i++) {
		size_t len;
		char *data = slurp(argv[1], fixtures[i].file, &len);
		bench(fixtures[i].file, fixtures[i].preset, data, len, secs);
		free(data);
	}
	static const int sizes[] = { 50, 500, 1000 };
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		char label[64];
		size_t len;
		char *data = forum_page(sizes[i], &len);
		snprintf(label, sizeof label, "generated %d posts", sizes[i]);
		bench(label, "phpbb", data, len, secs);
		free(data);
	}
	return 0;
}
