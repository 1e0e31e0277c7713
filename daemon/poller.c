/* poller.c: being written */
typedef int vigie_poller_pending;
