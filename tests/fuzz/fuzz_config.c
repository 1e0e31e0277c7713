/*
 * fuzz_config.c - libFuzzer target: a configuration file read and
 * checked (conf_load), from a file in memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/base/util.h"
#include "core/config/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct diag d = { 0 };
	struct conf *c;

	if (fd == -1 && (fd = memfd_create("vigie.conf", 0)) == -1)
		return 0;
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((c = conf_load(path, &d)) != NULL)
		conf_free(c);
	diag_clear(&d);
	return 0;
}
