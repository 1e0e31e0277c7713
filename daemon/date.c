/* date.c: being written */
typedef int vigie_date_pending;
