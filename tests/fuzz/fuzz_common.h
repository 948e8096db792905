/* Shared by the libFuzzer harnesses: the input becomes an in-memory file so
 * that inspectors read it through the same ub_src path as real images. */
#ifndef UB_FUZZ_COMMON_H
#define UB_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/format.h"

static inline int fuzz_src(struct ub_src *s, const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return ub_src_from_fd(s, fd, "fuzz-input", NULL);
}

/* Runs one handler's inspector on the input, as ub_inspect would. */
static inline void fuzz_inspect(const struct ub_format *f, const uint8_t *data,
				size_t size)
{
	struct ub_src s;
	struct ub_checks checks = { 0 };
	struct ub_image_meta meta = { 0 };
	struct ub_err err;
	struct ub_inspect ctx = { .checks = &checks, .meta = &meta, .err = &err };

	if (fuzz_src(&s, data, size) != 0)
		return;
	f->inspect(&ctx, &s);
	ub_checks_free(&checks);
	ub_meta_free(&meta);
	ub_src_close(&s);
}

#endif
