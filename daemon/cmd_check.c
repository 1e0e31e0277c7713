/* cmd_check.c: being written */
typedef int vigie_cmd_check_pending;
