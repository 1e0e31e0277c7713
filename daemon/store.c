/* store.c: being written */
typedef int vigie_store_pending;
