/* K1FW_VERSION comes from the VERSION file, through the Makefile. */
#include "base/version.h"

const char *k1_version(void)
{
	return K1FW_VERSION;
}
