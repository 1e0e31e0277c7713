/* match.c: being written */
typedef int vigie_match_pending;
