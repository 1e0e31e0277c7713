/* text.c: being written */
typedef int vigie_text_pending;
