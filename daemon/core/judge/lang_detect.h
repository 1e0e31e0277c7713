/*
 * lang_detect.h - tells French from English, for the sentiment rules when
 * a text does not say which language it is in.
 */
#ifndef VIGIE_LANG_DETECT_H
#define VIGIE_LANG_DETECT_H

#include <stddef.h>

/* "fr", "en", or NULL when the text says too little to tell. */
const char *lang_detect(const char *text, size_t len);
/* The function-word evidence behind it: French points minus English
 * points (> 0 French, < 0 English, 0 undecided). */
int lang_evidence(const char *text, size_t len);

#endif
