/*
 * test_story.c - alert links unwrapped (Google Alerts as its feeds spell
 * them, other redirectors, refusals), the URL normalisation table, and
 * the similarity hash on article-length texts: small edits stay within 3
 * bits, different articles far apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "core/judge/story.h"

static void
check_str(const char *what, const char *in, char *got, const char *want)
{
	if (want == NULL && got != NULL)
		fail_msg("%s(%s): got %s, want NULL", what, in, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s(%s):\n got  %s\n want %s", what, in,
		    got ? got : "NULL", want);
	free(got);
}

static const struct {
	const char *in, *want;
} unwraps[] = {
	/* Google Alerts, as its RSS and Atom feeds link every item. */
	{ "https://www.google.com/url?rct=j&sa=t&url=https://www.lemonde.fr/"
	  "economie/article/2024/03/12/greve-a-la-sncf_6221345_3234.html&ct=ga"
	  "&cd=CAIyGjA2ZTQ5ZDQ0ZDM4ZjYwMjE6Y29tOmZyOlVT"
	  "&usg=AOvVaw0dZ3XqL5m1aYg8cVn0F4kQ",
	    "https://www.lemonde.fr/economie/article/2024/03/12/"
	    "greve-a-la-sncf_6221345_3234.html" },
	/* The target percent-encoded, with a query of its own. */
	{ "https://www.google.com/url?rct=j&sa=t&url=https%3A%2F%2Fnews.example."
	  "com%2Fstory%3Fid%3D42%26page%3D2&ct=ga&cd=CAE&usg=AOvVaw1",
	    "https://news.example.com/story?id=42&page=2" },
	{ "https://www.google.fr/url?sa=t&url=http://blog.example.org/a%20b&ct=ga",
	    "http://blog.example.org/a%20b" },
	{ "https://news.google.com/news/url?sa=t&fd=R&url=https://example.net/x"
	  "&usg=AFQjCNE",
	    "https://example.net/x" },
	{ "https://www.google.co.uk/url?q=https://example.co.uk/p&sa=U",
	    "https://example.co.uk/p" },
	/* Talkwalker Alerts and the social networks' link shims. */
	{ "https://alerts.talkwalker.com/alerts/redirect?url=https%3A%2F%2F"
	  "www.example.fr%2Farticle-1&alert=123",
	    "https://www.example.fr/article-1" },
	{ "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2Fp%3Fa%3D1"
	  "&h=AT0xyz",
	    "https://example.com/p?a=1" },
	{ "https://www.youtube.com/redirect?event=video_description&q="
	  "https%3A%2F%2Fexample.com%2F&v=abc",
	    "https://example.com/" },
	/* A redirect to a redirect. */
	{ "https://www.google.com/url?url=https%3A%2F%2Fl.facebook.com%2Fl.php"
	  "%3Fu%3Dhttps%253A%252F%252Fexample.com%252Fdeep&ct=ga",
	    "https://example.com/deep" },
	/* Host case does not hide Google. */
	{ "https://WWW.GOOGLE.COM/url?url=https://example.com/c",
	    "https://example.com/c" },

	/* Only the web: no script, data or file targets, nothing relative. */
	{ "https://www.google.com/url?url=javascript:alert(document.cookie)",
	    NULL },
	{ "https://www.google.com/url?url=javascript%3Aalert(1)", NULL },
	{ "https://www.google.com/url?url=data:text/html,%3Cscript%3E", NULL },
	{ "https://www.google.com/url?url=file:///etc/passwd", NULL },
	{ "https://www.google.com/url?url=/relative/path", NULL },
	{ "https://www.google.com/url?url=https%3A%2F%2Fa.example%0A.com%2F",
	    NULL },
	/* Not redirect links: left alone. */
	{ "https://www.google.com/search?q=https://example.com/", NULL },
	{ "https://www.google.com/url?rct=j&sa=t&ct=ga", NULL },
	{ "https://google.example.com/url?url=https://example.com/", NULL },
	{ "https://www.example.com/url?url=https://example.com/", NULL },
	{ "https://example.com/share?u=https://other.example/", NULL },
	{ "https://www.lemonde.fr/economie/article/2024/03/12/x.html", NULL },
	{ "mailto:someone@example.com", NULL },
	{ "not a url", NULL },
	{ "", NULL },
};

static void
test_unwrap(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(unwraps) / sizeof(unwraps[0]); i++)
		check_str("story_unwrap", unwraps[i].in,
		    story_unwrap(unwraps[i].in, NULL), unwraps[i].want);
	assert_null(story_unwrap(NULL, NULL));
}

/* An alert or news service's redirector relays another site's article;
 * a share button does not, unless an alert led to it. */
static void
test_unwrap_relayed(void **state)
{
	static const struct {
		const char *in;
		int unwraps, relayed;
	} cases[] = {
		{ "https://www.google.com/url?rct=j&sa=t&url=https://a.example/x",
		    1, 1 },
		{ "https://alerts.talkwalker.com/alerts/redirect?url=https%3A%2F%2F"
		  "a.example%2Fy",
		    1, 1 },
		{ "https://www.bing.com/news/apiclick.aspx?ref=FexRss&url=https%3A"
		  "%2F%2Fa.example%2Fz&c=1",
		    1, 1 },
		{ "https://l.facebook.com/l.php?u=https%3A%2F%2Fa.example%2Fp",
		    1, 0 },
		{ "https://www.google.com/url?url=https%3A%2F%2Fl.facebook.com%2F"
		  "l.php%3Fu%3Dhttps%253A%252F%252Fa.example%252Fdeep",
		    1, 1 },
		{ "https://www.google.com/search?q=https://a.example/", 0, 0 },
		{ "https://www.google.com/url?url=javascript:alert(1)", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int relayed = -1;
		char *out = story_unwrap(cases[i].in, &relayed);
		if ((out != NULL) != cases[i].unwraps ||
		    relayed != cases[i].relayed)
			fail_msg("%s: unwrapped %d relayed %d, want %d %d",
			    cases[i].in, out != NULL, relayed, cases[i].unwraps,
			    cases[i].relayed);
		free(out);
	}
}

static const struct {
	const char *in, *want;
} normals[] = {
	/* Scheme and host case, default port, fragment. */
	{ "HTTP://WWW.Example.COM:80/News/Item#comments",
	    "http://www.example.com/News/Item" },
	{ "https://example.com:443/", "https://example.com/" },
	{ "https://example.com:8443/a", "https://example.com:8443/a" },
	{ "http://example.com:443/a", "http://example.com:443/a" },
	/* Tracking parameters out, the rest sorted. */
	{ "https://example.com/a?utm_source=rss&utm_medium=feed&id=3&utm_campaign"
	  "=x",
	    "https://example.com/a?id=3" },
	{ "https://example.com/a?b=2&a=1&c=",
	    "https://example.com/a?a=1&b=2&c=" },
	{ "https://example.com/a?fbclid=IwAR0x&gclid=Cj0K&mc_cid=1&mc_eid=2&"
	  "igshid=z&ref_src=twsrc%5Etfw",
	    "https://example.com/a" },
	{ "https://www.lemonde.fr/politique/article/x_823448.html?xtor=RSS-3208",
	    "https://www.lemonde.fr/politique/article/x_823448.html" },
	{ "https://example.com/a?UTM_Source=x&ref=home",
	    "https://example.com/a?ref=home" },
	{ "https://example.com/a?&&b=1&", "https://example.com/a?b=1" },
	/* index.html and trailing slashes. */
	{ "https://example.com/news/index.html", "https://example.com/news" },
	{ "https://example.com/index.html", "https://example.com/" },
	{ "https://example.com/news/", "https://example.com/news" },
	{ "https://example.com/news//", "https://example.com/news" },
	{ "https://example.com", "https://example.com/" },
	{ "https://example.com/news/index.html?p=2",
	    "https://example.com/news?p=2" },
	{ "https://example.com/myindex.html",
	    "https://example.com/myindex.html" },
	/* One spelling for escapes; raw bytes encoded. */
	{ "https://example.com/a%7eb/%c3%a9t%C3%A9",
	    "https://example.com/a~b/"
	    "%c3%a9t%c3%a9" },
	{ "https://example.com/caf\xc3\xa9", "https://example.com/caf%c3%a9" },
	{ "https://example.com/s?q=a%2Fb&r=%7E",
	    "https://example.com/s?q=a%2fb&r=~" },
	/* Credentials and a trailing dot on the host. */
	{ "https://user:pw@example.com/a", "https://example.com/a" },
	{ "https://example.com./a", "https://example.com/a" },
	/* Not absolute http(s). */
	{ "ftp://example.com/a", NULL },
	{ "/relative/path", NULL },
	{ "javascript:alert(1)", NULL },
	{ "", NULL },
};

static void
test_normalize(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(normals) / sizeof(normals[0]); i++)
		check_str("story_normalize_url", normals[i].in,
		    story_normalize_url(normals[i].in), normals[i].want);
	assert_null(story_normalize_url(NULL));
}

/* Two spellings a feed and an alert give of one article. */
static void
test_same_story(void **state)
{
	char *a = story_normalize_url(
	    "https://www.example.fr/actu/2024/03/grève.html?utm_source=rss");
	char *unwrapped = story_unwrap(
	    "https://www.google.com/url?rct=j&sa=t&url=https://WWW.EXAMPLE.FR/"
	    "actu/2024/03/gr%C3%A8ve.html%23xtor%3DRSS&ct=ga&cd=CA&usg=AOv",
	    NULL);
	char *b;

	(void)state;
	assert_non_null(unwrapped);
	b = story_normalize_url(unwrapped);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(unwrapped);
}

static size_t
count_words(const char *s)
{
	size_t n = 0;

	while (*s != '\0') {
		s += strspn(s, " \n");
		if (*s != '\0')
			n++;
		s += strcspn(s, " \n");
	}
	return n;
}

/* s with its k-th blank-separated word replaced by w. */
static char *
replace_word(const char *s, size_t k, const char *w)
{
	char *out = malloc(strlen(s) + strlen(w) + 1);
	size_t o = 0, i = 0;

	assert_non_null(out);
	while (*s != '\0') {
		size_t sp = strspn(s, " \n");
		memcpy(out + o, s, sp);
		o += sp;
		s += sp;
		size_t len = strcspn(s, " \n");
		if (len == 0)
			break;
		if (i++ == k) {
			memcpy(out + o, w, strlen(w));
			o += strlen(w);
		} else {
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
	}
	out[o] = '\0';
	return out;
}

static const char *const articles[] = { "article-recall.txt",
	"article-strike.txt", "article-fr.txt" };

static int
dist(uint64_t h, const char *s)
{
	return story_distance(h, story_simhash(s, strlen(s)));
}

/*
 * Every single-word edit and a spread of two-word edits of each article:
 * nearly all within 3 bits, and the average far lower. A bound on every
 * edit would be false: a hash of 64 bits lets an unlucky edit flip a few
 * more.
 */
static void
test_simhash_near(void **state)
{
	(void)state;
	for (size_t a = 0; a < sizeof(articles) / sizeof(articles[0]); a++) {
		char *text = fixture_read("discover", articles[a], NULL);
		uint64_t h = story_simhash(text, strlen(text));
		size_t words = count_words(text);
		size_t near1 = 0, near2 = 0, sum1 = 0, sum2 = 0;

		assert_true(words > 300);
		assert_int_not_equal(h, 0);
		for (size_t k = 0; k < words; k++) {
			char *one = replace_word(text, k, "remplacé");
			char *two = replace_word(
			    one, (k * 7 + 13) % words, "otherword");
			int d1 = dist(h, one), d2 = dist(h, two);
			near1 += d1 <= 3;
			near2 += d2 <= 3;
			sum1 += (size_t)d1;
			sum2 += (size_t)d2;
			free(one);
			free(two);
		}
		if (near1 * 100 < words * 97 || near2 * 100 < words * 90 ||
		    sum1 > words || sum2 * 2 > words * 3)
			fail_msg(
			    "%s: %zu/%zu one-word edits and %zu/%zu two-word "
			    "edits within 3 bits, mean %.2f and %.2f",
			    articles[a], near1, words, near2, words,
			    (double)sum1 / (double)words,
			    (double)sum2 / (double)words);
		free(text);
	}
}

/*
 * The hash is stored with each item and compared with those of items
 * stored by earlier versions, on other machines: it must not change with
 * the version, the compiler or the CPU's instructions (story.c picks a
 * vectorised loop where it can). Values computed before that loop was
 * written.
 */
static void
test_simhash_stable(void **state)
{
	static const struct {
		const char *file;
		uint64_t hash;
	} want[] = {
		{ "article-fr.txt", 0xea0a29cdc6a87d43ULL },
		{ "article-recall.txt", 0x5a759c9f51274372ULL },
		{ "article-strike.txt", 0xa823f531719c50f5ULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *text = fixture_read("discover", want[i].file, NULL);
		uint64_t h = story_simhash(text, strlen(text));

		if (h != want[i].hash)
			fail_msg("%s: %016llx, want %016llx", want[i].file,
			    (unsigned long long)h,
			    (unsigned long long)want[i].hash);
		free(text);
	}
}

/* Edits a syndicated copy really shows: case, accents and punctuation
 * (gone in folding), a corrected typo, a credit line added. */
static void
test_simhash_copies(void **state)
{
	char *text = fixture_read("discover", "article-recall.txt", NULL);
	uint64_t h = story_simhash(text, strlen(text));
	char *v[3];

	(void)state;
	v[0] = strdup(text);
	for (char *p = v[0]; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (*p == ',' || *p == '"')
			*p = ' ';
	v[1] = replace_word(text, 40, "suppermarkets");
	size_t n = strlen(text);
	v[2] = malloc(n + 64);
	assert_non_null(v[2]);
	memcpy(v[2], text, n);
	strcpy(v[2] + n, " (Reporting by the news desk)");

	assert_int_equal(dist(h, v[0]), 0);
	for (size_t i = 0; i < 3; i++) {
		int d = dist(h, v[i]);
		if (d > 3)
			fail_msg("copy %zu: distance %d", i, d);
		free(v[i]);
	}
	free(text);
}

static void
test_simhash_far(void **state)
{
	char *t[3];
	uint64_t h[3];

	(void)state;
	for (size_t a = 0; a < 3; a++) {
		t[a] = fixture_read("discover", articles[a], NULL);
		h[a] = story_simhash(t[a], strlen(t[a]));
	}
	for (size_t a = 0; a < 3; a++)
		for (size_t b = a + 1; b < 3; b++)
			if (story_distance(h[a], h[b]) <= 10)
				fail_msg("%s and %s: distance %d", articles[a],
				    articles[b], story_distance(h[a], h[b]));
	/* Paragraph-long texts are as far apart. */
	char *p1 = strndup(t[0], strcspn(t[0], "\n"));
	char *p2 = strndup(t[1], strcspn(t[1], "\n"));
	assert_true(dist(story_simhash(p1, strlen(p1)), p2) > 10);
	free(p1);
	free(p2);
	for (size_t a = 0; a < 3; a++)
		free(t[a]);
}

static void
test_simhash_edges(void **state)
{
	(void)state;
	assert_int_equal(story_simhash("", 0), 0);
	assert_int_equal(story_simhash("two words", 9), 0);
	assert_int_equal(story_simhash("!!! ... ???", 11), 0);
	assert_int_not_equal(story_simhash("three words here", 16), 0);
	/* Bytes that are not UTF-8 separate words; no crash. */
	assert_int_not_equal(story_simhash("\xff\xfe a \xc3 b c d", 12), 0);
	assert_int_equal(story_distance(0, 0), 0);
	assert_int_equal(story_distance(0, ~0ULL), 64);
	assert_int_equal(story_distance(0x5, 0x3), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwrap),
		cmocka_unit_test(test_unwrap_relayed),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_same_story),
		cmocka_unit_test(test_simhash_near),
		cmocka_unit_test(test_simhash_stable),
		cmocka_unit_test(test_simhash_copies),
		cmocka_unit_test(test_simhash_far),
		cmocka_unit_test(test_simhash_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
