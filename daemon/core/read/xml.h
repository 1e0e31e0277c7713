/*
 * xml.h - libxml2's process-wide set-up, done once before any document
 * (feed, page, OPML file) is parsed.
 */
#ifndef VIGIE_XML_H
#define VIGIE_XML_H

/* Initialises the parser, installs an external entity loader that refuses
 * everything (no DTD, no entity, no file and no URL is ever fetched on a
 * document's say-so) and silences libxml2's own error printing: parse
 * errors are reported by the callers, through their err arguments. */
void xml_global_init(void);

#endif
