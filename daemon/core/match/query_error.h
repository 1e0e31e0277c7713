/*
 * query_error.h - where a watch's query is wrong. Its own header because
 * both the parser (query.h) and the matcher (match.h) report it, and the
 * matcher already depends on the parser.
 */
#ifndef VIGIE_QUERY_ERROR_H
#define VIGIE_QUERY_ERROR_H

/* Where a query is wrong: 1-based column (in characters) and a message. */
struct query_error {
	int column;
	char message[256];
};

#endif
