/* conf.c: being written */
typedef int vigie_conf_pending;
