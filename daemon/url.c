/* url.c: being written */
typedef int vigie_url_pending;
