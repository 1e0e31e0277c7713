/*
 * word.h - tests on eight bytes at once, loaded as one 64-bit word, for
 * the loops that step over runs of plain text (most of a feed). Every test
 * is exact for each byte and the same in either byte order.
 */
#ifndef VIGIE_WORD_H
#define VIGIE_WORD_H

#include <stdint.h>
#include <string.h>

#define WORD_ONES ((uint64_t)0x0101010101010101u)
#define WORD_HIGHS (WORD_ONES * 0x80)

static inline uint64_t
word_load(const void *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof w);
	return w;
}

/* The high bit of each byte of w that is c, and no other bit. */
static inline uint64_t
word_eq(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (WORD_ONES * c);

	return ~(((x & ~WORD_HIGHS) + ~WORD_HIGHS) | x) & WORD_HIGHS;
}

/* Nonzero when a byte of w is below 0x20 or above 0x7f: not all of it is
 * printable ASCII (0x7f aside). */
static inline uint64_t
word_not_text(uint64_t w)
{
	return (w | (w - WORD_ONES * 0x20)) & WORD_HIGHS;
}

#endif
