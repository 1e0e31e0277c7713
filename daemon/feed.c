/* feed.c: being written */
typedef int vigie_feed_pending;
