/*
 * query_error.h - where a watch's query is wrong. Its own header because
 * both the parser (query.h) and the matcher (match.h) report it, and the
 * matcher already depends on the parser.
 */
#ifndef VIGIE_QUERY_ERROR_H
#define VIGIE_QUERY_ERROR_H

/* Where a query is wrong: 1-based column (in characters) and a message.
 * A query that parses may still hold a likely mistake: its first one is in
 * warning, at warn_column (0 when there is none). */
struct query_error {
	int column;
	char message[256];
	int warn_column;
	char warning[160];
};

#endif
