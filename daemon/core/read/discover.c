/*
 * discover.c - the feeds of an HTML page (see discover.h): the ones it
 * declares with <link rel="alternate">, then the URLs its engine serves
 * feeds at by convention, guessed from what the page reveals of itself
 * (generator, asset paths, ids and classes). Nothing is fetched here; the
 * caller tries the list in order.
 */
#include "core/read/discover.h"

#include <libxml/HTMLparser.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"
#include "core/read/extract.h"
#include "core/read/url.h"

/* The <head> is near the start; past this much, a page is only bigger,
 * not more telling. */
#define DISCOVER_MAX_BYTES (2 * 1024 * 1024)
/* Archive pages declare a feed per category and tag; beyond this, the
 * rest are not the main feed either. */
#define DISCOVER_MAX_DECLARED 64

/* Declared beats guessed, the main feed beats comment feeds, RSS and Atom
 * beat JSON Feed (more readers, fewer dialects), same host beats a feed
 * served elsewhere. Each weight outranks the sum of those after it. */
#define SCORE_DECLARED 1000
#define SCORE_GUESSED 100
#define SCORE_MAIN 400
#define SCORE_XML 40
#define SCORE_SAME_HOST 20

enum engine {
	ENGINE_NONE,
	ENGINE_WORDPRESS,
	ENGINE_PHPBB,
	ENGINE_DISCOURSE,
	ENGINE_XENFORO,
	ENGINE_BLOGGER,
	ENGINE_COUNT
};

/* Where each engine serves its feeds. phpBB lives in one directory (the
 * index and the feed side by side), so its paths are relative to the
 * page; the others answer at the site's root. */
static const struct {
	enum engine engine;
	const char *path;
	int comments;
} guesses[] = {
	{ ENGINE_WORDPRESS, "/feed/", 0 },
	{ ENGINE_WORDPRESS, "/comments/feed/", 1 },
	{ ENGINE_PHPBB, "app.php/feed", 0 }, /* 3.1 and later */
	{ ENGINE_PHPBB, "feed.php", 0 }, /* 3.0 */
	{ ENGINE_DISCOURSE, "/latest.rss", 0 },
	{ ENGINE_XENFORO, "/forums/-/index.rss", 0 },
	{ ENGINE_BLOGGER, "/feeds/posts/default", 0 },
	{ ENGINE_NONE, "/rss.xml", 0 },
	{ ENGINE_NONE, "/atom.xml", 0 },
	{ ENGINE_NONE, "/index.xml", 0 },
	{ ENGINE_NONE, "/feed.xml", 0 },
};

/* Substrings of a generator, an asset path or a link that betray an
 * engine, and how much each says. */
static const struct {
	const char *needle;
	enum engine engine;
} asset_signs[] = {
	{ "/wp-content/", ENGINE_WORDPRESS },
	{ "/wp-includes/", ENGINE_WORDPRESS },
	{ "/styles/prosilver/", ENGINE_PHPBB },
	{ "viewforum.php", ENGINE_PHPBB },
	{ "viewtopic.php", ENGINE_PHPBB },
	{ "/js/xf/", ENGINE_XENFORO },
	{ "/js/xenforo/", ENGINE_XENFORO },
	{ "/assets/discourse", ENGINE_DISCOURSE },
	{ "/assets/start-discourse", ENGINE_DISCOURSE },
	{ "blogger.com/static/", ENGINE_BLOGGER },
	{ "blogblog.com/", ENGINE_BLOGGER },
};

static const char *const generator_names[ENGINE_COUNT] = {
	[ENGINE_WORDPRESS] = "wordpress",
	[ENGINE_PHPBB] = "phpbb",
	[ENGINE_DISCOURSE] = "discourse",
	[ENGINE_XENFORO] = "xenforo",
	[ENGINE_BLOGGER] = "blogger",
};

struct scan {
	const char *page_url;
	char *page_host;
	const char *base; /* <base href> resolved, else the page URL */
	char *base_owned;
	int votes[ENGINE_COUNT];
	struct discovered *v;
	size_t n, declared;
};

/* The value of attribute name on n, without copying; NULL if absent. */
static const char *
attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
		if (strcasecmp((const char *)a->name, name) == 0) {
			if (a->children != NULL && a->children->content != NULL)
				return (const char *)a->children->content;
			return "";
		}
	return NULL;
}

/* Whether the space-separated list s holds word, case-insensitively. */
static int
has_token(const char *s, const char *word)
{
	size_t wl = strlen(word);

	while (s != NULL && *s != '\0') {
		s += strspn(s, " \t\r\n\f");
		size_t n = strcspn(s, " \t\r\n\f");
		if (n == wl && strncasecmp(s, word, n) == 0)
			return 1;
		s += n;
	}
	return 0;
}

/* "rss", "atom" or "json" for a feed's MIME type, parameters ignored. */
static const char *
feed_type(const char *type)
{
	static const struct {
		const char *mime, *type;
	} types[] = {
		{ "application/rss+xml", "rss" },
		{ "application/rdf+xml", "rss" },
		{ "application/atom+xml", "atom" },
		{ "application/feed+json", "json" },
		{ "application/json", "json" },
	};

	type += strspn(type, " \t");
	size_t n = strcspn(type, "; \t");
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (strlen(types[i].mime) == n &&
		    strncasecmp(type, types[i].mime, n) == 0)
			return types[i].type;
	return NULL;
}

static int
is_comments(const char *title, const char *url)
{
	return (title != NULL &&
	           (strcasestr(title, "comments") != NULL ||
	               strcasestr(title, "commentaires") != NULL)) ||
	    strstr(url, "/comments/feed") != NULL;
}

static void
add(struct scan *sc, char *url, const char *type, const char *title, int score)
{
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->v[i].url, url) == 0) {
			free(url);
			return;
		}
	char *host = url_host(url);
	if (host != NULL && sc->page_host != NULL &&
	    strcmp(host, sc->page_host) == 0)
		score += SCORE_SAME_HOST;
	free(host);
	if (strcmp(type, "json") != 0)
		score += SCORE_XML;

	sc->v = xreallocarray(sc->v, sc->n + 1, sizeof(*sc->v));
	struct discovered *d = &sc->v[sc->n++];
	d->url = url;
	d->type = xstrdup(type);
	d->title = title != NULL && title[0] != '\0' ? xstrdup(title) : NULL;
	d->score = score;
}

static void
declared_link(struct scan *sc, const xmlNode *n)
{
	const char *rel = attr(n, "rel"), *type = attr(n, "type");
	const char *href = attr(n, "href"), *title = attr(n, "title");
	const char *kind;

	if (!has_token(rel, "alternate") || type == NULL || href == NULL ||
	    (kind = feed_type(type)) == NULL ||
	    sc->declared >= DISCOVER_MAX_DECLARED)
		return;
	char *url = url_resolve(sc->base, href);
	if (url == NULL || !url_is_http(url) ||
	    /* WordPress's REST API and oEmbed also say application/json. */
	    (strcmp(kind, "json") == 0 &&
	        (strstr(url, "/wp-json/") != NULL ||
	            strstr(url, "oembed") != NULL))) {
		free(url);
		return;
	}
	sc->declared++;
	add(sc, url, kind, title,
	    SCORE_DECLARED + (is_comments(title, url) ? 0 : SCORE_MAIN));
}

static void
vote_assets(struct scan *sc, const char *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < ARRAY_LEN(asset_signs); i++)
		if (strcasestr(s, asset_signs[i].needle) != NULL)
			sc->votes[asset_signs[i].engine]++;
}

/* What one element says of the engine behind the page. */
static void
vote(struct scan *sc, const xmlNode *n)
{
	const char *name = (const char *)n->name;
	const char *id = attr(n, "id"), *class = attr(n, "class");

	if (strcasecmp(name, "meta") == 0) {
		const char *mname = attr(n, "name");
		const char *content = attr(n, "content");
		if (mname != NULL && strcasecmp(mname, "generator") == 0 &&
		    content != NULL)
			for (int e = 1; e < ENGINE_COUNT; e++)
				if (strcasestr(content, generator_names[e]))
					sc->votes[e] += 3;
		if (mname != NULL && strncasecmp(mname, "discourse", 9) == 0)
			sc->votes[ENGINE_DISCOURSE] += 2;
	}
	vote_assets(sc, attr(n, "src"));
	vote_assets(sc, attr(n, "href"));
	if (id != NULL && (strcmp(id, "XF") == 0 || strcmp(id, "XenForo") == 0))
		sc->votes[ENGINE_XENFORO] += 2;
	if (id != NULL && strcasecmp(id, "phpbb") == 0)
		sc->votes[ENGINE_PHPBB] += 2;
	if (class != NULL && strstr(class, "wp-block-") != NULL)
		sc->votes[ENGINE_WORDPRESS]++;
}

static void
element(struct scan *sc, const xmlNode *n)
{
	const char *name = (const char *)n->name;

	if (strcasecmp(name, "base") == 0 && sc->base_owned == NULL) {
		const char *href = attr(n, "href");
		char *b = href != NULL ? url_resolve(sc->page_url, href) : NULL;
		if (b != NULL && url_is_http(b))
			sc->base = sc->base_owned = b;
		else
			free(b);
	} else if (strcasecmp(name, "link") == 0)
		declared_link(sc, n);
	vote(sc, n);
}

/* Depth-first without recursion: a hostile page nests as deep as it
 * likes. */
static void
walk(struct scan *sc, xmlNode *root)
{
	xmlNode *n = root;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE)
			element(sc, n);
		if ((n->type == XML_ELEMENT_NODE ||
		        n->type == XML_HTML_DOCUMENT_NODE) &&
		    n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n != root && n->next == NULL)
			n = n->parent;
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
}

static enum engine
engine_of(const struct scan *sc)
{
	enum engine best = ENGINE_NONE;

	for (int e = 1; e < ENGINE_COUNT; e++)
		if (sc->votes[e] > sc->votes[best])
			best = (enum engine)e;
	return best;
}

static void
add_guesses(struct scan *sc)
{
	enum engine e = engine_of(sc);

	for (size_t i = 0; i < ARRAY_LEN(guesses); i++) {
		if (guesses[i].engine != e)
			continue;
		char *url = url_resolve(sc->page_url, guesses[i].path);
		if (url == NULL || !url_is_http(url)) {
			free(url);
			continue;
		}
		add(sc, url, "guess", NULL,
		    SCORE_GUESSED + (guesses[i].comments ? 0 : SCORE_MAIN));
	}
}

static int
prefix_ci(const char *s, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - s) >= n && strncasecmp(s, prefix, n) == 0;
}

/*
 * Whether the body is an HTML page rather than a feed, JSON or text: the
 * first thing past a BOM, blanks, comments and an XML declaration must be
 * an HTML doctype or an element only an HTML page starts with.
 */
static int
looks_html(const char *s, size_t len)
{
	static const char *const starts[] = { "<!doctype html", "<html",
		"<head", "<body", "<meta", "<title", "<link", "<base",
		"<script", "<style", "<div", "<noscript" };
	const char *end = s + len;

	if (prefix_ci(s, end, "\xef\xbb\xbf"))
		s += 3;
	for (;;) {
		while (s < end && strchr(" \t\r\n\f", *s) != NULL)
			s++;
		if (prefix_ci(s, end, "<!--")) {
			const char *c = memmem(s, (size_t)(end - s), "-->", 3);
			if (c == NULL)
				return 0;
			s = c + 3;
		} else if (prefix_ci(s, end, "<?")) {
			const char *c = memchr(s, '>', (size_t)(end - s));
			if (c == NULL)
				return 0;
			s = c + 1;
		} else
			break;
	}
	for (size_t i = 0; i < ARRAY_LEN(starts); i++) {
		size_t n = strlen(starts[i]);
		if (prefix_ci(s, end, starts[i]) &&
		    (s + n == end || strchr(" \t\r\n\f>/", s[n]) != NULL))
			return 1;
	}
	return 0;
}

/* Best first; equal scores keep the page's order. Few entries: an
 * insertion sort is stable and enough. */
static void
sort_by_score(struct discovered *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct discovered d = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].score < d.score; j--)
			v[j] = v[j - 1];
		v[j] = d;
	}
}

int
discover_feeds(const char *html, size_t len, const char *base_url,
    struct discovered **out, size_t *n, const char **engine)
{
	struct scan sc;

	*out = NULL;
	*n = 0;
	if (engine != NULL)
		*engine = NULL;
	if (html == NULL || !looks_html(html, len))
		return -1;
	if (len > DISCOVER_MAX_BYTES)
		len = DISCOVER_MAX_BYTES;

	memset(&sc, 0, sizeof(sc));
	sc.page_url = base_url;
	sc.base = base_url;
	sc.page_host = base_url != NULL ? url_host(base_url) : NULL;
	htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	        HTML_PARSE_NOWARNING);
	if (doc != NULL) {
		walk(&sc, (xmlNode *)doc);
		xmlFreeDoc(doc);
	}
	if (base_url != NULL)
		add_guesses(&sc);
	if (engine != NULL && generator_names[engine_of(&sc)] != NULL &&
	    extract_preset(generator_names[engine_of(&sc)]) != NULL)
		*engine = generator_names[engine_of(&sc)];
	free(sc.base_owned);
	free(sc.page_host);

	sort_by_score(sc.v, sc.n);
	*out = sc.v;
	*n = sc.n;
	return 0;
}

void
discovered_free(struct discovered *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].url);
		free(v[i].type);
		free(v[i].title);
	}
	free(v);
}

char *
discovered_format(const struct discovered *v, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s\t%s\t%s\n", v[i].url, v[i].type,
		    v[i].title != NULL ? v[i].title : "");
	return buf_release(&b);
}
