/*
 * xml.c - libxml2's process-wide set-up (see xml.h). The loader and the
 * error handlers are global in libxml2, so they are set here once rather
 * than by each module that parses. The handlers are in fact per thread:
 * the calling thread's are set, and the defaults that threads started
 * later (the daemon's readers) begin with.
 */
#include "core/read/xml.h"

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

static xmlParserInputPtr
refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void
ignore_error(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

static void
ignore_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

void
xml_global_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(refuse_entity);
	/* Parse errors are reported through the parsers' err arguments;
	 * libxml2 must not print them on its own. */
	xmlSetStructuredErrorFunc(NULL, ignore_error);
	xmlSetGenericErrorFunc(NULL, ignore_generic);
	xmlThrDefSetStructuredErrorFunc(NULL, ignore_error);
	xmlThrDefSetGenericErrorFunc(NULL, ignore_generic);
}
