/* fetch.c: being written */
typedef int vigie_fetch_pending;
