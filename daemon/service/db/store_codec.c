/*
 * store_codec.c - what goes into the store's statements and comes out of
 * them (see store_int.h): results read row by row into typed values, and
 * the JSON that set-based statements take as one parameter.
 */
#include "service/db/store_int.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/json_out.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/judge/analyze.h"

/* --- results --- */

void
op_log_error(const struct op *op, const char *what, const char *error)
{
	if (error != NULL)
		log_err(
		    "database: %s: %s", what ? what : op->stmt->name, error);
}

void
done_result(struct op *op, PGresult *res, const char *error)
{
	store_done_cb cb = (store_done_cb)op->cb;

	op_log_error(op, NULL, error);
	if (cb != NULL)
		cb(res != NULL, op->arg);
}

const char *
row_peek(struct row r, int col)
{
	return PQgetvalue(r.res, r.i, col);
}

int64_t
row_int64(struct row r, int col)
{
	return strtoll(row_peek(r, col), NULL, 10);
}

long
row_long(struct row r, int col)
{
	return strtol(row_peek(r, col), NULL, 10);
}

int
row_int(struct row r, int col)
{
	return atoi(row_peek(r, col));
}

int
row_bool(struct row r, int col)
{
	return row_peek(r, col)[0] == 't';
}

char *
row_text(struct row r, int col)
{
	return xstrdup(row_peek(r, col));
}

char *
row_text_or_null(struct row r, int col)
{
	return PQgetisnull(r.res, r.i, col) ? NULL : row_text(r, col);
}

int
result_one_row(const PGresult *res)
{
	return res != NULL && PQntuples(res) == 1;
}

void *
op_rows(struct op *op, const PGresult *res, const char *error, const char *what,
    size_t size, void (*decode)(struct row, void *elem), long *n)
{
	unsigned char *elems;
	int rows;

	if (res == NULL) {
		op_log_error(op, what, error);
		*n = -1;
		return NULL;
	}
	rows = PQntuples(res);
	elems = xcalloc((size_t)rows + 1, size);
	for (int i = 0; i < rows; i++)
		decode((struct row){ res, i }, elems + (size_t)i * size);
	*n = rows;
	return elems;
}

/* --- parameters --- */

json_t *
json_text(const char *s)
{
	/* Feeds can carry invalid UTF-8 that PostgreSQL would refuse:
	 * jansson validates, and a string it refuses is stored as NULL
	 * rather than failing the whole batch. */
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

char *
json_dump_owned(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	if (s == NULL)
		s = xstrdup("[]");
	return s;
}

json_t *
json_tags(const char *list)
{
	json_t *arr = json_array();
	char *copy, *save = NULL;

	if (list == NULL)
		return arr;
	copy = xstrdup(list);
	for (char *t = strtok_r(copy, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_text(t));
	free(copy);
	return arr;
}

char *
json_names(const char *const *names, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_text(names[i]));
	return json_dump_owned(arr);
}

/* The names of the emotions set in a score's mask, in the enum's order,
 * as a JSON array. */
static void
out_emotions(struct buf *b, unsigned mask)
{
	const char *sep = "";

	buf_putc(b, '[');
	for (int e = 0; e < EMOTION_COUNT; e++)
		if (mask & (1u << e)) {
			buf_puts(b, sep);
			json_out_string(b, emotion_name((enum emotion)e));
			sep = ",";
		}
	buf_putc(b, ']');
}

/* What a score says, under the keys the save statements read, as
 * members of the object being written. A mention's flags and emotions
 * are left out when unset: the statements read a missing one as false
 * and none (coalesce), and most mentions have neither; an item's are
 * always written, as its columns tell a text judged from one not. */
static void
out_tone(struct buf *b, const struct sentiment_score *s, int mention)
{
	buf_printf(b, ",\"tone\":%.9g", (double)s->compound);
	json_out_member(b, ",\"label\":", sentiment_label_name(s->label));
	if (s->abusive || !mention)
		buf_puts(
		    b, s->abusive ? ",\"abusive\":true" : ",\"abusive\":false");
	if (s->emotions != 0 || !mention) {
		buf_puts(b, ",\"emotions\":");
		out_emotions(b, s->emotions);
	}
	if (s->rumour || !mention)
		buf_puts(
		    b, s->rumour ? ",\"rumour\":true" : ",\"rumour\":false");
}

void
json_out_analysis(
    struct buf *b, const struct item_analysis *ia, const struct analyzer *an)
{
	buf_puts(b, ",\"mentions\":[");
	for (size_t i = 0; ia != NULL && i < ia->nmentions; i++) {
		const struct match_hit *h = &ia->mentions[i];

		json_out_member(b, i ? ",{\"watch\":" : "{\"watch\":",
		    analyzer_watch_name(an, h->watch));
		buf_puts(b, ",\"terms\":[");
		for (size_t t = 0; t < h->nterms; t++) {
			if (t > 0)
				buf_putc(b, ',');
			json_out_string(b, h->terms[t]);
		}
		buf_putc(b, ']');
		/* The tone toward this watch; the item's below is the
		 * document's. */
		if (ia->scored)
			out_tone(b, &ia->mention_tones[i], 1);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	if (ia == NULL || !ia->scored)
		return;
	out_tone(b, &ia->tone, 0);
	json_out_member(b, ",\"tone_lang\":", ia->tone.lang);
}
