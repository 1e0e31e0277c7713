/* cmd_score.c: being written */
#include "cmd.h"
int
cmd_score(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
