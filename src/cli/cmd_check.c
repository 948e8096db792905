/* unbrick check IMAGE: under construction in this commit series. */
#include "cli.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return UB_EXIT_FAIL;
}
