/*
 * match_bench.c - matching throughput with 10 to 10,000 watches, through
 * the index and, for comparison, evaluating every watch on every document.
 * Watches and items are generated from a fixed seed: brands, products and
 * executives, French and English complaint vocabulary, phrases, NEAR,
 * wildcards, field scopes and about 1% regexes; titles with 100 to 400
 * word bodies, a third of them naming a watched brand. A digest of every
 * item's hits (watches and terms), outside the timing, tells whether a
 * change to the matcher changed its answers.
 *
 *	match_bench [items]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/util.h"
#include "core/match/match.h"

#define MAX_WATCHES 10000

static uint32_t seed = 42;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

#define PICK(a) ((a)[rnd(ARRAY_LEN(a))])

static const char *const syl[] = {
	"ac",
	"me",
	"glo",
	"bex",
	"ini",
	"tech",
	"vel",
	"tron",
	"nor",
	"dis",
	"ka",
	"zor",
	"lum",
	"ix",
	"pha",
	"ra",
	"sol",
	"vi",
	"ta",
	"qu",
	"ber",
	"tel",
	"mo",
	"za",
	"rik",
	"on",
	"da",
	"cy",
	"ber",
	"dyn",
	"é",
	"lo",
};

static const char *const first[] = {
	"Jean",
	"Marie",
	"Pierre",
	"Sophie",
	"John",
	"Emma",
	"Olivier",
	"Claire",
	"David",
	"Laura",
	"Hélène",
	"Michael",
	"Sarah",
	"Luc",
};

static const char *const last[] = {
	"Martin",
	"Bernard",
	"Dubois",
	"Smith",
	"Johnson",
	"Lefèvre",
	"Moreau",
	"Brown",
	"Garcia",
	"Rousseau",
	"Taylor",
	"Fontaine",
};

static const char *const complaint[] = {
	"arnaque",
	"panne",
	"remboursement",
	"retard",
	"déçu",
	"nul",
	"scandale",
	"scam",
	"broken",
	"refund",
	"outage",
	"bug",
	"hack",
	"fuite",
	"plainte",
	"lawsuit",
	"rappel",
	"recall",
	"honte",
};

static const char *const filler[] = {
	"le",
	"la",
	"les",
	"de",
	"des",
	"un",
	"une",
	"et",
	"est",
	"pour",
	"avec",
	"dans",
	"sur",
	"pas",
	"plus",
	"très",
	"mais",
	"nous",
	"vous",
	"the",
	"a",
	"of",
	"and",
	"to",
	"in",
	"is",
	"for",
	"with",
	"on",
	"not",
	"this",
	"that",
	"it",
	"was",
	"service",
	"client",
	"produit",
	"commande",
	"livraison",
	"magasin",
	"prix",
	"nouveau",
	"année",
	"aujourd'hui",
	"l'entreprise",
	"customer",
	"order",
	"store",
	"new",
	"price",
	"today",
	"company",
	"market",
	"update",
	"release",
	"week",
	"semaine",
	"marché",
	"résultats",
	"trimestre",
	"croissance",
	"users",
	"app",
	"application",
	"version",
	"réseau",
	"network",
	"phone",
	"été",
};

static char *brands[MAX_WATCHES];

static char *
make_brand(void)
{
	struct buf b;
	uint32_t i, n = 2 + rnd(2);

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_puts(&b, PICK(syl));
	return buf_release(&b);
}

static char *
make_query(size_t i)
{
	const char *b = brands[i], *o = brands[(i * 7 + 3) % MAX_WATCHES];

	if (rnd(100) == 0)
		return xasprintf("/%s[- ]?\\d+/", b);
	switch (rnd(8)) {
	case 0:
		return xasprintf("%s AND (arnaque* OR panne OR \"service "
		                 "client\" OR scam OR broken OR rembours*)",
		    b);
	case 1:
		return xasprintf("\"%s %s\" OR (%s NEAR/3 (pdg OR ceo OR "
		                 "\"directeur général\"))",
		    PICK(first), PICK(last), b);
	case 2:
		return xasprintf(
		    "%s NOT (promo OR soldes OR \"code promo\")", b);
	case 3:
		return xasprintf("title:%s OR #%s OR @%s", b, b, b);
	case 4:
		return xasprintf(
		    "(%s OR %s) NEAR/5 (bug* OR panne OR outage)", b, o);
	case 5:
		return xasprintf("%s AND %s NOT site:%s.com", b, o, b);
	case 6:
		return xasprintf(
		    "\"%s %s*\" lang:fr", b, rnd(2) ? "rembours" : "factur");
	default:
		return xasprintf("%s OR \"%s pro\"", b, b);
	}
}

static void
make_item(struct buf *title, struct buf *text)
{
	static const char *const punct[] = { " ", " ", " ", " ", ", ", ". ",
		"! ", " (", ") " };
	uint32_t n, i;

	buf_init(title);
	buf_init(text);
	for (i = 0, n = 6 + rnd(7); i < n; i++)
		buf_printf(title, "%s%s", i ? " " : "",
		    rnd(10) == 0 ? brands[rnd(MAX_WATCHES)] : PICK(filler));
	for (i = 0, n = 100 + rnd(301); i < n; i++) {
		if (i > 0)
			buf_puts(text, PICK(punct));
		if (rnd(150) == 0)
			buf_puts(text, brands[rnd(MAX_WATCHES)]);
		else if (rnd(25) == 0)
			buf_puts(text, PICK(complaint));
		else
			buf_puts(text, PICK(filler));
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct item {
	struct buf title, text;
};

static uint64_t
digest_str(uint64_t h, const char *s)
{
	do
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	while (*s++ != '\0');
	return h;
}

/* FNV-1a over the hits of every item, in order: watch names and terms. */
static uint64_t
digest(const struct matcher *m, const struct item *items, size_t nitems)
{
	struct match_result res;
	struct match_doc doc = { NULL, NULL, "Jean Dupont",
		"https://www.example.com/article", "fr" };
	uint64_t h = 14695981039346656037u;
	size_t i, k, t;

	match_result_init(&res);
	for (i = 0; i < nitems; i++) {
		doc.title = items[i].title.data;
		doc.text = items[i].text.data;
		matcher_match(m, &doc, &res);
		h = digest_str(h, "item");
		for (k = 0; k < res.nhits; k++) {
			h = digest_str(h, matcher_name(m, res.hits[k].watch));
			for (t = 0; t < res.hits[k].nterms; t++)
				h = digest_str(h, res.hits[k].terms[t]);
		}
	}
	match_result_clear(&res);
	return h;
}

/* Items per second and hits, matching items until a second has passed. */
static double
measure(const struct matcher *m, const struct item *items, size_t nitems,
    int naive, double *mbps, double *hits_per_item)
{
	struct match_result res;
	struct match_doc doc = { NULL, NULL, "Jean Dupont",
		"https://www.example.com/article", "fr" };
	double t0 = now(), t;
	size_t done = 0, bytes = 0, hits = 0;

	match_result_init(&res);
	do {
		const struct item *it = &items[done % nitems];

		doc.title = it->title.data;
		doc.text = it->text.data;
		hits += naive ? matcher_match_naive(m, &doc, &res)
		              : matcher_match(m, &doc, &res);
		bytes += it->title.len + it->text.len;
		done++;
		t = now() - t0;
	} while (done < nitems && t < 1.0);
	match_result_clear(&res);
	*mbps = (double)bytes / t / 1e6;
	*hits_per_item = (double)hits / (double)done;
	return (double)done / t;
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 10, 100, 1000, 10000 };
	size_t nitems = argc > 1 ? strtoul(argv[1], NULL, 10) : 5000;
	struct item *items;
	struct matcher *m;
	struct query_error err;
	double ips, mbps, nips, nmbps, hits, nhits;
	size_t i, s;
	char *q;

	if (nitems == 0)
		nitems = 1;
	for (i = 0; i < MAX_WATCHES; i++)
		brands[i] = make_brand();
	items = xcalloc(nitems, sizeof(*items));
	for (i = 0; i < nitems; i++)
		make_item(&items[i].title, &items[i].text);

	printf("%8s %12s %8s %10s %16s %14s %8s %10s\n", "watches", "items/s",
	    "MB/s", "hits/item", "digest", "naive items/s", "MB/s", "speed-up");
	for (s = 0; s < ARRAY_LEN(sizes); s++) {
		m = matcher_new();
		seed = 7;
		for (i = 0; i < sizes[s]; i++) {
			q = make_query(i);
			if (matcher_add(m, brands[i], q, NULL, &err) < 0) {
				fprintf(stderr, "%s: column %d: %s\n", q,
				    err.column, err.message);
				return 1;
			}
			free(q);
		}
		matcher_build(m);
		ips = measure(m, items, nitems, 0, &mbps, &hits);
		printf("%8zu %12.0f %8.1f %10.3f %016llx", sizes[s], ips, mbps,
		    hits, (unsigned long long)digest(m, items, nitems));
		if (sizes[s] <= 1000) {
			nips = measure(m, items, nitems, 1, &nmbps, &nhits);
			printf(" %14.0f %8.1f %9.1fx", nips, nmbps, ips / nips);
		}
		printf("\n");
		matcher_free(m);
	}
	for (i = 0; i < nitems; i++) {
		buf_clear(&items[i].title);
		buf_clear(&items[i].text);
	}
	free(items);
	for (i = 0; i < MAX_WATCHES; i++)
		free(brands[i]);
	return 0;
}
