/* sched.c: being written */
typedef int vigie_sched_pending;
