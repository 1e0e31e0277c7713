/* opml.c: being written */
typedef int vigie_opml_pending;
