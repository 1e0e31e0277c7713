/* cmd_parse.c: being written */
typedef int vigie_cmd_parse_pending;
