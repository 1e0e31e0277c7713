/*
 * detect_sim.c - the spike detector on a simulated month of ordinary
 * traffic for many watches (see docs/DETECTION.md, "Simulation"): false
 * incidents per watch-month, by reason and by volume, against the rate the
 * Poisson test implies; then crises of several sizes injected into the same
 * traffic, and how long the detector takes to fire.
 *
 * usage: detect_sim [-w watches] [-s seed] [-p p_value] [-m min_count]
 *                   [-r min_ratio] [-h cusum_h] [-k cusum_k] [-P]
 * -P replaces the traffic model by a constant Poisson rate, to check the
 * simulation against the computed false-alarm rate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/detect/detect.h"

#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define T0 (1700006400000LL - 1700006400000LL % DAY)

#define LEARN_DAYS 14 /* before the measured month */
#define MONTH_DAYS 30
#define FOLLOW (6 * HOUR) /* how long a crisis is given to be found */
#define NCLASS 3
#define NSIZE 3

static const int sizes[NSIZE] = { 20, 50, 200 };
static const char *const class_name[NCLASS] = { "2-20", "20-200", "200-2000" };

static uint64_t rng;

static double
uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545F4914F6CDD1DULL) >> 11) /
	    9007199254740992.0;
}

static int
poisson(double lambda)
{
	/* Inversion for small means; a sum of halves beyond, since
	 * e^-lambda underflows in the long run. */
	if (lambda > 30)
		return poisson(lambda / 2) + poisson(lambda / 2);
	double u = uniform(), p = exp(-lambda), c = p;
	int k = 0;

	while (u > c && k < 10000) {
		k++;
		p *= lambda / k;
		c += p;
	}
	return k;
}

static double
normal(void)
{
	double u = uniform(), v = uniform();

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* Gamma(shape, 1/shape), mean 1, for shape >= 1 (Marsaglia and Tsang). */
static double
gamma_mean1(double shape)
{
	double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d), x, v;

	for (;;) {
		do {
			x = normal();
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		if (log(uniform() + 1e-300) <
		    0.5 * x * x + d - d * v + d * log(v))
			return d * v / shape;
	}
}

struct watch {
	double volume; /* mentions per day */
	double share; /* negative */
	int class;
};

/* A watch's ordinary traffic, bucket by bucket. */
static void
traffic(const struct detect_params *p, const struct watch *w, int poisson_only,
    int nb, int *neg, int *tot)
{
	int per_hour = (int)(HOUR / p->bucket_ms);
	double per_bucket = w->volume * (double)p->bucket_ms / DAY;
	double mix = 1, news = 1;

	for (int i = 0; i < nb; i++) {
		double hour =
		    (double)(i % (int)(DAY / p->bucket_ms)) / per_hour;
		int day = i / (int)(DAY / p->bucket_ms);
		double rate = per_bucket;

		if (!poisson_only) {
			if (i % (int)(DAY / p->bucket_ms) == 0)
				news = uniform() < 1.0 / 15 ? 1.5 : 1;
			if (i % per_hour == 0)
				mix = gamma_mean1(5);
			rate *= 1 + 0.6 * sin(2 * M_PI * (hour - 9) / 24);
			rate *= day % 7 >= 5 ? 0.6 : 1;
			rate *= mix * news;
		}
		neg[i] = poisson(rate * w->share);
		tot[i] = neg[i] + poisson(rate * (1 - w->share));
	}
}

/*
 * The Poisson test's false incidents per month for a constant rate lambda
 * per bucket, the baseline being exact: the expected number of buckets at
 * which the window first reaches the firing count c. With A the buckets
 * both windows share, B the one leaving and C the one entering,
 * P(A + C >= c, A + B < c) summed over A.
 */
static double
theory(const struct detect_params *p, double lambda)
{
	int n = (int)(p->window_ms / p->bucket_ms);
	double e = fmax(lambda, p->baseline_floor) * n, sum = 0;
	int c = p->min_count;

	if (c < ceil(p->min_ratio * e))
		c = (int)ceil(p->min_ratio * e);
	while (detect_poisson_upper_tail(c, e) > p->p_value)
		c++;
	for (int a = 0; a < c; a++) {
		double pa = exp(a * log(lambda * (n - 1)) - lambda * (n - 1) -
		    lgamma(a + 1.0));

		sum += pa * detect_poisson_upper_tail(c - a, lambda) *
		    (1 - detect_poisson_upper_tail(c - a, lambda));
	}
	return sum * (double)MONTH_DAYS * DAY / p->bucket_ms;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: detect_sim [-w watches] [-s seed] "
	    "[-p p_value] [-m min_count] [-r min_ratio] [-h cusum_h] "
	    "[-k cusum_k] [-P]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct detect_params p;
	int nwatch = 1000, poisson_only = 0, c;
	uint64_t seed = 1;
	char err[128];

	detect_params_default(&p);
	while ((c = getopt(argc, argv, "w:s:p:m:r:h:k:P")) != -1) {
		switch (c) {
		case 'w':
			nwatch = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			p.p_value = atof(optarg);
			break;
		case 'm':
			p.min_count = atoi(optarg);
			break;
		case 'r':
			p.min_ratio = atof(optarg);
			break;
		case 'h':
			p.cusum_h = atof(optarg);
			break;
		case 'k':
			p.cusum_k = atof(optarg);
			break;
		case 'P':
			poisson_only = 1;
			break;
		default:
			usage();
		}
	}
	if (nwatch < 1 || detect_params_check(&p, err, sizeof(err)) != 0) {
		fprintf(
		    stderr, "detect_sim: %s\n", nwatch < 1 ? "bad -w" : err);
		return 2;
	}

	int per_day = (int)(DAY / p.bucket_ms);
	int nb = (LEARN_DAYS + MONTH_DAYS) * per_day;
	int follow = (int)(FOLLOW / p.bucket_ms);
	int *neg = calloc((size_t)nb + follow, sizeof(int));
	int *tot = calloc((size_t)nb + follow, sizeof(int));
	int64_t *delays = calloc((size_t)nwatch, sizeof(int64_t) * NSIZE);
	int nwatches[NCLASS] = { 0 }, fa[NCLASS][4] = { { 0 } }, cold_fa = 0;
	int found[NSIZE] = { 0 }, nfound[NSIZE] = { 0 }, tried[NSIZE] = { 0 };
	double expected_fa[NCLASS] = { 0 };
	struct detect_track *t = malloc(sizeof(*t)), *snap = malloc(sizeof(*t)),
	                    *x = malloc(sizeof(*t));
	struct detect_info info;

	if (!neg || !tot || !delays || !t || !snap || !x) {
		fprintf(stderr, "detect_sim: out of memory\n");
		return 1;
	}
	for (int w = 0; w < nwatch; w++) {
		struct watch wt;
		int at;

		rng = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)w * 7919 + 1;
		wt.volume = 2 * pow(1000, uniform());
		wt.share = 0.05 + 0.2 * uniform();
		wt.class = wt.volume < 20 ? 0 : wt.volume < 200 ? 1 : 2;
		nwatches[wt.class]++;
		expected_fa[wt.class] +=
		    theory(&p, wt.volume * wt.share * p.bucket_ms / DAY);
		traffic(&p, &wt, poisson_only, nb + follow, neg, tot);
		/* The crisis: somewhere in the measured month. */
		at = LEARN_DAYS * per_day +
		    (int)(uniform() * (MONTH_DAYS * per_day - follow));

		detect_track_init(t, &p);
		for (int i = 0; i < nb; i++) {
			enum detect_event ev;

			if (i == at)
				*snap = *t;
			ev = detect_step(
			    &p, t, T0 + i * p.bucket_ms, neg[i], tot[i], &info);
			if (ev != DETECT_FIRED)
				continue;
			if (i < per_day)
				cold_fa++;
			else if (i >= LEARN_DAYS * per_day) {
				fa[wt.class][0]++;
				fa[wt.class][info.reason]++;
			}
		}

		for (int s = 0; s < NSIZE; s++) {
			int extra[12] = { 0 };

			delays[(size_t)w * NSIZE + s] = INT64_MAX;
			if (snap->state != DETECT_OK)
				continue; /* already in an incident */
			tried[s]++;
			for (int k = 0; k < sizes[s]; k++)
				extra[(int)(uniform() * 12)]++;
			*x = *snap;
			for (int i = 0; i < follow; i++) {
				int add = i * p.bucket_ms < HOUR
				    ? extra[i * 12 * p.bucket_ms / HOUR]
				    : 0;

				/* Several buckets share one twelfth of the
				 * hour when buckets are short. */
				if (add && p.bucket_ms < 5 * MIN)
					add =
					    (i % (int)(5 * MIN / p.bucket_ms) ==
					        0)
					    ? add
					    : 0;
				if (detect_step(&p, x,
				        T0 + (at + i) * p.bucket_ms,
				        neg[at + i] + add, tot[at + i] + add,
				        &info) == DETECT_FIRED) {
					delays[(size_t)w * NSIZE + s] =
					    (int64_t)(i + 1) * p.bucket_ms;
					found[s]++;
					break;
				}
			}
		}
	}

	printf("detect_sim: %d watches, %s traffic, seed %llu\n", nwatch,
	    poisson_only ? "constant Poisson" : "modelled",
	    (unsigned long long)seed);
	printf("params: p_value %g, min_count %d, min_ratio %g, "
	       "cusum_k %g, cusum_h %g\n\n",
	    p.p_value, p.min_count, p.min_ratio, p.cusum_k, p.cusum_h);
	printf("False incidents per watch-month (days %d-%d)\n", LEARN_DAYS + 1,
	    LEARN_DAYS + MONTH_DAYS);
	printf("%-14s %7s %8s %8s %8s %8s %12s\n", "mentions/day", "watches",
	    "total", "poisson", "cusum", "cold", "poisson-theory");
	int all = 0, allfa[4] = { 0 };
	double allexp = 0;
	for (int k = 0; k < NCLASS; k++) {
		double n = nwatches[k] ? nwatches[k] : 1;

		printf("%-14s %7d %8.3f %8.3f %8.3f %8.3f %12.3f\n",
		    class_name[k], nwatches[k], fa[k][0] / n,
		    fa[k][REASON_POISSON] / n, fa[k][REASON_CUSUM] / n,
		    fa[k][REASON_COLD] / n, expected_fa[k] / n);
		all += nwatches[k];
		allexp += expected_fa[k];
		for (int r = 0; r < 4; r++)
			allfa[r] += fa[k][r];
	}
	printf("%-14s %7d %8.3f %8.3f %8.3f %8.3f %12.3f\n", "all", all,
	    (double)allfa[0] / all, (double)allfa[REASON_POISSON] / all,
	    (double)allfa[REASON_CUSUM] / all, (double)allfa[REASON_COLD] / all,
	    allexp / all);
	printf("Incidents on the first day (cold start): %.3f per watch\n\n",
	    (double)cold_fa / all);

	printf("Crises: extra negatives over one hour, followed for %lldh\n",
	    (long long)(FOLLOW / HOUR));
	printf("%-6s %7s %9s %12s %12s\n", "extra", "tried", "detected",
	    "median (min)", "p95 (min)");
	for (int s = 0; s < NSIZE; s++) {
		int64_t *d = malloc(sizeof(*d) * (size_t)nwatch);

		if (d == NULL)
			return 1;
		for (int w = 0; w < nwatch; w++)
			if (delays[(size_t)w * NSIZE + s] != INT64_MAX)
				d[nfound[s]++] = delays[(size_t)w * NSIZE + s];
		qsort(d, (size_t)nfound[s], sizeof(*d), cmp_int64);
		if (nfound[s] == 0)
			printf("%-6d %7d %8.1f%% %12s %12s\n", sizes[s],
			    tried[s], 0.0, "-", "-");
		else
			printf("%-6d %7d %8.1f%% %12.0f %12.0f\n", sizes[s],
			    tried[s], 100.0 * found[s] / tried[s],
			    d[nfound[s] / 2] / (double)MIN,
			    d[(nfound[s] * 95 + 99) / 100 - 1] / (double)MIN);
		free(d);
	}
	free(neg);
	free(tot);
	free(delays);
	free(t);
	free(snap);
	free(x);
	return 0;
}
