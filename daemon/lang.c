/* lang.c: being written */
typedef int vigie_lang_pending;
