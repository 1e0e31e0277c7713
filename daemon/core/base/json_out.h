/*
 * json_out.h - JSON text written straight into a buffer: the lines `vigie
 * parse` prints and the parameters of the store's set-based statements.
 * Strings are checked (UTF-8) and escaped in one pass.
 */
#ifndef VIGIE_JSON_OUT_H
#define VIGIE_JSON_OUT_H

struct buf;

/* s as a JSON string, or null when s is NULL or not UTF-8 (PostgreSQL
 * would refuse it, and with it the whole statement). */
void json_out_string(struct buf *, const char *s);
/* A member: key is written as it is, with its punctuation (",\"id\":"),
 * then value as json_out_string writes it. */
void json_out_member(struct buf *, const char *key, const char *value);

#endif
