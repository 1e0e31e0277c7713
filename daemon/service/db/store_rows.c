/*
 * store_rows.c - a fetch's items as the save statement takes them
 * (sql/save_fetch.sql, $2 to $36; see store_int.h). Each item is kept,
 * from its fetch to its statement and in the spool, as a record of
 * values in PostgreSQL's binary form, one per column, followed by its
 * mentions' records; the statement's arrays, one per column, are then
 * filled from the records of every chunk it stores, a copy of bytes per
 * value. PostgreSQL copies a binary array's elements where it reads JSON
 * a character at a time: reading the items' JSON, which the saves sent
 * until spool version 3, was a third of a save (docs/BENCHMARKS.md).
 */
#include "service/db/store_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/judge/analyze.h"
#include "core/read/date.h"
#include "core/read/feed.h"
#include "service/db/pq.h"

/* A value's type, which says how many bytes it takes in binary. */
enum col_type { COL_TEXT, COL_INT8, COL_INT4, COL_FLOAT4, COL_BOOL };

static const struct {
	uint32_t oid; /* pg_type's, for the array's header */
	int32_t width; /* bytes of a value; -1: any */
} col_types[] = {
	[COL_TEXT] = { 25, -1 },
	[COL_INT8] = { 20, 8 },
	[COL_INT4] = { 23, 4 },
	[COL_FLOAT4] = { 700, 4 },
	[COL_BOOL] = { 16, 1 },
};

/* A column of a record: its key in the JSON of an earlier version's
 * chunk, its type, and whether version 2 kept it beside that JSON (an
 * item's summary and content). emotions and terms are text, array
 * literals ("{anger,joy}"): an array's elements cannot be arrays of
 * their own lengths. */
struct column {
	const char *key;
	enum col_type type;
	int beside;
};

/* An item's record, in the order of $3 to $28 ($2, the source, is its
 * chunk's), then the number of mention records that follow it. */
static const struct column item_cols[] = {
	{ "guid", COL_TEXT, 0 },
	{ "link", COL_TEXT, 0 },
	{ "title", COL_TEXT, 0 },
	{ "author", COL_TEXT, 0 },
	{ "author_url", COL_TEXT, 0 },
	{ "relayed_from", COL_TEXT, 0 },
	{ "summary", COL_TEXT, 1 },
	{ "content", COL_TEXT, 1 },
	{ "lang", COL_TEXT, 0 },
	{ "published", COL_INT8, 0 },
	{ "updated", COL_INT8, 0 },
	{ "likes", COL_INT8, 0 },
	{ "shares", COL_INT8, 0 },
	{ "replies", COL_INT8, 0 },
	{ "views", COL_INT8, 0 },
	{ "followers", COL_INT8, 0 },
	{ "rating", COL_FLOAT4, 0 },
	{ "rating_count", COL_INT8, 0 },
	{ "url_norm", COL_TEXT, 0 },
	{ "simhash", COL_INT8, 0 },
	{ "tone", COL_FLOAT4, 0 },
	{ "label", COL_TEXT, 0 },
	{ "abusive", COL_BOOL, 0 },
	{ "emotions", COL_TEXT, 0 },
	{ "rumour", COL_BOOL, 0 },
	{ "tone_lang", COL_TEXT, 0 },
};
#define ITEM_COLS ARRAY_LEN(item_cols)

/* A mention's record, in the order of $30 to $36 ($29, its item's
 * place, is counted as the records are read). */
static const struct column mention_cols[] = {
	{ "watch", COL_TEXT, 0 },
	{ "terms", COL_TEXT, 0 },
	{ "tone", COL_FLOAT4, 0 },
	{ "label", COL_TEXT, 0 },
	{ "abusive", COL_BOOL, 0 },
	{ "emotions", COL_TEXT, 0 },
	{ "rumour", COL_BOOL, 0 },
};
#define MENTION_COLS ARRAY_LEN(mention_cols)

/* --- values --- */

/* v in four bytes at p, network order: PostgreSQL's binary integers. */
static void
set_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
put_be32(struct buf *b, uint32_t v)
{
	unsigned char be[4];

	set_be32(be, v);
	buf_append(b, be, sizeof be);
}

static uint32_t
get_be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

/* A value is its length in four bytes, -1 for NULL, then its bytes. */
static void
put_null(struct buf *b)
{
	put_be32(b, UINT32_MAX);
}

/* Text that is not UTF-8, which PostgreSQL would refuse with the whole
 * statement, is NULL. */
static void
put_text(struct buf *b, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (s == NULL || n >= INT32_MAX || !utf8_valid(s, n)) {
		put_null(b);
		return;
	}
	put_be32(b, (uint32_t)n);
	buf_append(b, s, n);
}

static void
put_int8(struct buf *b, int64_t v)
{
	put_be32(b, 8);
	put_be32(b, (uint32_t)((uint64_t)v >> 32));
	put_be32(b, (uint32_t)v);
}

static void
put_int4(struct buf *b, int32_t v)
{
	put_be32(b, 4);
	put_be32(b, (uint32_t)v);
}

static void
put_float4(struct buf *b, double v)
{
	float f = (float)v;
	uint32_t bits;

	memcpy(&bits, &f, sizeof bits);
	put_be32(b, 4);
	put_be32(b, bits);
}

static void
put_bool(struct buf *b, int v)
{
	put_be32(b, 1);
	buf_putc(b, v ? 1 : 0);
}

/* n texts as one text value, an array literal (pq_text_array). */
static void
put_literal(struct buf *b, const char *const *v, size_t n)
{
	char *l = pq_text_array(v, n);

	put_text(b, l);
	free(l);
}

/* The length of the value at p, its header included, or 0 when the
 * len bytes left cannot hold it or it is not of type t. */
static size_t
value_size(const char *p, size_t len, enum col_type t)
{
	uint32_t n;

	if (len < 4)
		return 0;
	n = get_be32(p);
	if (n == UINT32_MAX)
		return 4;
	if (n > INT32_MAX || n > len - 4 ||
	    (col_types[t].width >= 0 && n != (uint32_t)col_types[t].width))
		return 0;
	return 4 + n;
}

/* --- records --- */

/* The values put_tone writes. */
#define TONE_COLS 5

/* tone, label, abusive, emotions and rumour, as both records have them:
 * NULL each for a text not judged. */
static void
put_tone(struct buf *b, const struct sentiment_score *s)
{
	const char *names[EMOTION_COUNT];
	size_t n = 0;

	if (s == NULL) {
		for (int i = 0; i < TONE_COLS; i++)
			put_null(b);
		return;
	}
	put_float4(b, s->compound);
	put_text(b, sentiment_label_name(s->label));
	put_bool(b, s->abusive);
	for (int e = 0; e < EMOTION_COUNT; e++)
		if (s->emotions & (1u << e))
			names[n++] = emotion_name((enum emotion)e);
	put_literal(b, names, n);
	put_bool(b, s->rumour);
}

static void
put_date(struct buf *b, int64_t t)
{
	if (t == DATE_NONE)
		put_null(b);
	else
		put_int8(b, t);
}

/* The values in the order of item_cols, then each mention's in the order
 * of mention_cols: rows_from_json writes the same from JSON, and
 * tests/service/test_rows.c holds the two to it. */
void
rows_put_item(struct buf *b, const struct item *it, const char *lang,
    const struct item_analysis *ia, const struct analyzer *an)
{
	int scored = ia != NULL && ia->scored;

	put_text(b, it->id);
	put_text(b, it->link);
	put_text(b, it->title);
	put_text(b, it->author);
	put_text(b, it->author_url);
	put_text(b, it->relayed_from);
	put_text(b, it->summary);
	put_text(b, it->content);
	put_text(b, it->lang != NULL ? it->lang : lang);
	put_date(b, it->published);
	put_date(b, it->updated);
	for (int e = 0; e < ENG_COUNT; e++) {
		if (it->engaged & (1u << e))
			put_int8(b, it->engagement[e]);
		else
			put_null(b);
	}
	if (it->has_rating)
		put_float4(b, it->rating);
	else
		put_null(b);
	if (it->rating_count > 0)
		put_int8(b, it->rating_count);
	else
		put_null(b);
	put_text(b, ia != NULL ? ia->url_norm : NULL);
	/* bigint in the database: the same 64 bits, signed. */
	if (ia != NULL && ia->simhash != 0)
		put_int8(b, (int64_t)ia->simhash);
	else
		put_null(b);
	put_tone(b, scored ? &ia->tone : NULL);
	put_text(b, scored ? ia->tone.lang : NULL);
	put_int4(b, ia != NULL ? (int32_t)ia->nmentions : 0);
	for (size_t i = 0; ia != NULL && i < ia->nmentions; i++) {
		const struct match_hit *h = &ia->mentions[i];

		put_text(b, analyzer_watch_name(an, h->watch));
		put_literal(b, h->terms, h->nterms);
		/* The tone toward this watch; the item's is the
		 * document's. */
		put_tone(b, scored ? &ia->mention_tones[i] : NULL);
	}
}

/* The mentions of the item whose record is at p (after its columns),
 * or -1 when the value there is not a count. */
static long
record_mentions(const char *p, size_t len)
{
	int32_t n;

	if (value_size(p, len, COL_INT4) != 8)
		return -1;
	n = (int32_t)get_be32(p + 4);
	return n >= 0 ? n : -1;
}

/* The length of the values at p of cols, or 0 when the len bytes left
 * do not hold them. */
static size_t
values_size(const char *p, size_t len, const struct column *cols, size_t n)
{
	size_t at = 0;

	for (size_t c = 0; c < n; c++) {
		size_t k = value_size(p + at, len - at, cols[c].type);
		if (k == 0)
			return 0;
		at += k;
	}
	return at;
}

int
rows_valid(const char *p, size_t len, size_t nitems)
{
	size_t at = 0;

	for (size_t i = 0; i < nitems; i++) {
		size_t k = values_size(p + at, len - at, item_cols, ITEM_COLS);
		long m;

		if (k == 0 ||
		    (m = record_mentions(p + at + k, len - at - k)) < 0)
			return 0;
		at += k + 8;
		for (long j = 0; j < m; j++) {
			k = values_size(
			    p + at, len - at, mention_cols, MENTION_COLS);
			if (k == 0)
				return 0;
			at += k;
		}
	}
	return at == len;
}

/* --- an earlier version's chunks --- */

/* v, a JSON value of an item or a mention, as a value of type t; -1 when
 * it cannot be one. */
static int
put_json(struct buf *b, const json_t *v, enum col_type t)
{
	if (v == NULL || json_is_null(v)) {
		put_null(b);
		return 0;
	}
	switch (t) {
	case COL_TEXT:
		if (json_is_string(v)) {
			put_text(b, json_string_value(v));
			return 0;
		}
		if (json_is_array(v)) {
			size_t n = json_array_size(v);
			const char **s = xcalloc(n + 1, sizeof *s);
			for (size_t i = 0; i < n; i++)
				if ((s[i] = json_string_value(
				         json_array_get(v, i))) == NULL) {
					free(s);
					return -1;
				}
			put_literal(b, s, n);
			free(s);
			return 0;
		}
		return -1;
	case COL_INT8:
		if (!json_is_integer(v))
			return -1;
		put_int8(b, (int64_t)json_integer_value(v));
		return 0;
	case COL_FLOAT4:
		if (!json_is_number(v))
			return -1;
		put_float4(b, json_number_value(v));
		return 0;
	case COL_BOOL:
		if (!json_is_boolean(v))
			return -1;
		put_bool(b, json_is_true(v));
		return 0;
	case COL_INT4:
		break;
	}
	return -1;
}

static int
put_json_values(struct buf *b, const json_t *o, const struct column *cols,
    size_t n, const char **texts, size_t *texts_left)
{
	for (size_t c = 0; c < n; c++) {
		/* The summary and content beside the JSON, when they
		 * are (spool version 2): two values an item. */
		if (texts != NULL && cols[c].beside) {
			size_t k = value_size(*texts, *texts_left, COL_TEXT);
			if (k == 0)
				return -1;
			buf_append(b, *texts, k);
			*texts += k;
			*texts_left -= k;
			continue;
		}
		if (put_json(
		        b, json_object_get(o, cols[c].key), cols[c].type) == -1)
			return -1;
	}
	return 0;
}

char *
rows_from_json(const char *json, const char *texts, size_t texts_len,
    size_t nitems, size_t *len)
{
	json_t *items = json_loads(json, 0, NULL);
	struct buf b;
	int ok = json_is_array(items) && json_array_size(items) == nitems;

	buf_init(&b);
	for (size_t i = 0; ok && i < nitems; i++) {
		const json_t *it = json_array_get(items, i);
		const json_t *men = json_object_get(it, "mentions");
		size_t m = json_array_size(men);

		ok = json_is_object(it) &&
		    (men == NULL || json_is_null(men) || json_is_array(men)) &&
		    put_json_values(&b, it, item_cols, ITEM_COLS,
		        texts != NULL ? &texts : NULL, &texts_len) == 0;
		if (!ok)
			break;
		put_int4(&b, (int32_t)m);
		for (size_t j = 0; ok && j < m; j++) {
			const json_t *h = json_array_get(men, j);
			ok = json_is_object(h) &&
			    put_json_values(&b, h, mention_cols, MENTION_COLS,
			        NULL, NULL) == 0;
		}
	}
	json_decref(items);
	if (!ok || (texts != NULL && texts_len != 0)) {
		buf_clear(&b);
		return NULL;
	}
	*len = b.len;
	return b.data != NULL ? buf_release(&b) : xstrdup("");
}

/* --- the statement's arrays --- */

/* An array's header, as array_recv reads it: dimensions, a flag, the
 * element type, then the dimension's size and lower bound; room for it
 * is kept at the start of each column until its size is known. */
#define HEADER_SIZE 20

static void
column_start(struct buf *b)
{
	buf_init(b);
	buf_reserve(b, HEADER_SIZE);
	b->len = HEADER_SIZE;
	b->data[b->len] = '\0';
}

/* b, which holds n values of type t, as a parameter of op. */
static void
column_finish(struct op *op, struct buf *b, size_t n, enum col_type t)
{
	const uint32_t head[] = { n > 0, 1, col_types[t].oid, (uint32_t)n, 1 };
	unsigned char *p = (unsigned char *)b->data;

	for (size_t i = 0; i < ARRAY_LEN(head); i++)
		set_be32(p + 4 * i, head[i]);
	/* No dimension: the header stops at the element type. */
	if (n == 0)
		b->len = 12;
	op_param_binary(op, b->data, b->len);
	b->data = NULL;
}

/* Copies the n values at p, each into its column of out; returns the
 * bytes read. The records were checked when made (rows_put_item) or read back
 * (rows_valid, rows_from_json). */
static size_t
copy_values(struct buf *out, const char *p, size_t n)
{
	size_t at = 0;

	for (size_t c = 0; c < n; c++) {
		uint32_t len = get_be32(p + at);
		size_t k = 4 + (len == UINT32_MAX ? 0 : len);

		buf_append(&out[c], p + at, k);
		at += k;
	}
	return at;
}

void
rows_params(struct op *op, const struct rows_chunk *chunks, size_t n)
{
	struct buf source, items[ITEM_COLS], place, mentions[MENTION_COLS];
	size_t nitems = 0, nmentions = 0;

	column_start(&source);
	column_start(&place);
	for (size_t c = 0; c < ITEM_COLS; c++)
		column_start(&items[c]);
	for (size_t c = 0; c < MENTION_COLS; c++)
		column_start(&mentions[c]);
	for (size_t i = 0; i < n; i++) {
		const char *p = chunks[i].rows;

		for (size_t k = 0; k < chunks[i].nitems; k++) {
			long m;

			put_int8(&source, chunks[i].source);
			p += copy_values(items, p, ITEM_COLS);
			m = (int32_t)get_be32(p + 4);
			p += 8;
			nitems++;
			for (long j = 0; j < m; j++) {
				put_int4(&place, (int32_t)nitems);
				p += copy_values(mentions, p, MENTION_COLS);
				nmentions++;
			}
		}
	}
	column_finish(op, &source, nitems, COL_INT8);
	for (size_t c = 0; c < ITEM_COLS; c++)
		column_finish(op, &items[c], nitems, item_cols[c].type);
	column_finish(op, &place, nmentions, COL_INT4);
	for (size_t c = 0; c < MENTION_COLS; c++)
		column_finish(
		    op, &mentions[c], nmentions, mention_cols[c].type);
}
