/*
 * test_reviews.c - schema.org reviews out of pages (preset = reviews): a
 * review site's JSON-LD (@graph, a business with its reviews and its
 * aggregate rating, French decimal commas), a shop's microdata (a
 * ten-point scale from zero, nested author and rating items), and a
 * hostile page (broken and deep JSON-LD, ratings off their scale, markup
 * in a review, a flood).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/read/date.h"
#include "core/read/reviews.h"
#include "fixture.h"

static struct feed *
read_fixture(const char *name, const char *url)
{
	size_t len;
	char *html = fixture_read("reviews", name, &len);
	struct feed *f = NULL;
	char err[256] = "";

	if (reviews_read(html, len, url, "text/html", &f, err, sizeof err))
		fail_msg("%s: %s", name, err);
	free(html);
	return f;
}

static void
test_json_ld(void **state)
{
	struct feed *f =
	    read_fixture("trustpilot.html", "https://avis.example/review/acme");
	const struct item *agg, *r;

	(void)state;
	assert_int_equal(f->nitems, 4);
	/* The aggregate first, where it sits in the document. */
	agg = &f->items[0];
	assert_int_equal(agg->rating_count, 1284);
	assert_true(fabs(agg->rating - 0.7) < 1e-9);
	assert_string_equal(agg->title, "Acme Livraisons");

	r = &f->items[1];
	assert_string_equal(r->id, "https://avis.example/reviews/6571");
	assert_string_equal(r->author, "Lucie M.");
	/* What it is about first: a watch on the brand finds it. */
	assert_string_equal(
	    r->title, "Acme Livraisons: Colis perdu, aucune r\xc3\xa9ponse");
	assert_non_null(strstr(r->content, "Arnaque."));
	assert_int_equal(r->published, date_parse("2026-11-28T09:12:00Z"));
	assert_true(r->has_rating && r->rating == 0);
	assert_int_equal(r->rating_count, 0);
	assert_string_equal(r->link, "https://avis.example/review/acme");

	/* A rating given as text, on the default scale of five. */
	r = &f->items[2];
	assert_string_equal(r->author, "Karim B.");
	assert_string_equal(
	    r->title, "Acme Livraisons: Rapide et soign\xc3\xa9");
	assert_true(r->has_rating && r->rating == 1);
	/* No id of its own, no title: told apart by what it says, about
	 * the business it is under. */
	r = &f->items[3];
	assert_true(strncmp(r->id, "https://avis.example/review/acme#review-",
	                40) == 0);
	assert_string_equal(r->title, "Acme Livraisons");
	assert_true(fabs(r->rating - 0.5) < 1e-9);
	feed_free(f);
}

static void
test_microdata(void **state)
{
	struct feed *f =
	    read_fixture("shop.html", "https://shop.example/acme-kettle");
	const struct item *r;

	(void)state;
	assert_int_equal(f->nitems, 3);
	assert_int_equal(f->items[0].rating_count, 58);
	/* 7.2 on 0..10? No: worst unsaid is 1, so (7.2 - 1) / 9. */
	assert_true(fabs(f->items[0].rating - 6.2 / 9) < 1e-9);
	r = &f->items[1];
	assert_string_equal(r->title, "Acme Kettle 2000: Boils fast");
	assert_string_equal(f->items[0].title, "Acme Kettle 2000");
	assert_string_equal(r->author, "J. Smith");
	assert_string_equal(
	    r->content, "Boils a litre in two minutes. Great kettle.");
	assert_int_equal(r->published, date_parse("2026-11-20"));
	assert_true(fabs(r->rating - 0.9) < 1e-9);
	r = &f->items[2];
	assert_string_equal(r->author, "Pat");
	assert_string_equal(r->title, "Acme Kettle 2000");
	assert_int_equal(r->published, date_parse("2026-11-22T18:00:00Z"));
	assert_true(fabs(r->rating - 0.2) < 1e-9);
	/* Two reviews of one page: two ids. */
	assert_string_not_equal(f->items[1].id, f->items[2].id);
	assert_int_equal(
	    reviews_count("<html><body><p>none</p></body></html>", 37), 0);
	feed_free(f);
}

static void
test_hostile(void **state)
{
	struct feed *f =
	    read_fixture("hostile.html", "https://evil.example/reviews");
	size_t rated = 0, deep = 0;

	(void)state;
	/* Capped, said, nothing read past the cap. */
	assert_int_equal(f->nitems, 1000);
	assert_non_null(f->skipped);
	for (size_t i = 0; i < f->nitems; i++) {
		const struct item *it = &f->items[i];

		rated += it->has_rating;
		assert_true(
		    !it->has_rating || (it->rating >= 0 && it->rating <= 1));
		if (it->content && strcmp(it->content, "deep one") == 0)
			deep++;
		if (it->content && strstr(it->content, "seven of five"))
			assert_false(it->has_rating);
		if (it->content && strstr(it->content, "upside down"))
			assert_false(it->has_rating);
		if (it->content && strstr(it->content, "not a number"))
			assert_false(it->has_rating);
		if (it->content && strstr(it->content, "alert(1)")) {
			/* Kept as text, its link not a javascript: one. */
			assert_string_equal(
			    it->link, "https://evil.example/reviews");
			assert_true(fabs(it->rating - 0.25) < 1e-9);
		}
	}
	assert_int_equal(deep, 1);
	assert_true(rated > 990);
	feed_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_ld),
		cmocka_unit_test(test_microdata),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
