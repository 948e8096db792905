/* What `check` adds for an image set (an Android update zip, a factory
 * archive): the images it holds, the partition each goes to and in which
 * order, the restarts between, what it requires of the device, and what
 * it leaves out.  The checks themselves are the archive's (cmd_check.c);
 * flash and recover gate each image again as if written alone. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "image/imgset.h"

json_t *cli_check_set(const char *path, int human)
{
	struct ub_imgset set;
	struct ub_src src;
	struct ub_err e;
	json_t *o, *images, *reqs;
	char line[400];
	size_t k;
	int rc;

	ub_err_clear(&e);
	if (ub_src_open(&src, path, &e))
		return NULL;
	rc = ub_imgset_read(&src, NULL, &set, &e);
	ub_src_close(&src);
	if (rc < 0) {
		/* the archive's own faults are the checks' to say */
		if (!e.advice_id || strncmp(e.advice_id, "imgset-", 7) != 0)
			return NULL;
		if (human)
			fprintf(stderr, "  image set: refused: %s\n", e.msg);
		return json_pack("{s:s, s:s}", "error", e.msg, "advice", e.advice_id);
	}
	if (rc)
		return NULL;
	images = json_array();
	reqs = json_array();
	if (human)
		fprintf(stderr, "  an image set (%s) of %zu image%s, written in this order:\n", set.kind, set.n,
			set.n == 1 ? "" : "s");
	for (k = 0; k < set.n; k++) {
		const struct ub_set_image *im = &set.v[k];

		json_array_append_new(images, json_pack("{s:s, s:s, s:I, s:b}", "partition", im->part, "image", im->entry,
							"bytes", (json_int_t)im->src.size, "restart", im->restart));
		if (human)
			fprintf(stderr, "    %zu. %-12s %s (%llu bytes)%s\n", k + 1, im->part, im->entry,
				(unsigned long long)im->src.size,
				im->restart ? ", then a restart into the bootloader" : "");
	}
	for (k = 0; k < set.req.n; k++) {
		const struct ub_req *q = &set.req.v[k];

		if (q->line)
			snprintf(line, sizeof line, "%.150s line %u: %.140s", q->from, q->line, q->text);
		else
			snprintf(line, sizeof line, "%.150s: %.140s", q->from, q->text);
		json_array_append_new(reqs, json_pack("{s:s, s:s, s:s*}", "line", line, "variable", q->var, "after",
						      q->after >= 0 ? set.v[q->after].part : NULL));
		if (human)
			fprintf(stderr, "  requires %s%s%s\n", line, q->after >= 0 ? ", checked after the restart for " : "",
				q->after >= 0 ? set.v[q->after].part : "");
	}
	if (human && set.notes[0])
		fprintf(stderr, "  %s\n", set.notes);
	o = json_pack("{s:s, s:o, s:o, s:s}", "kind", set.kind, "images", images, "requirements", reqs, "left_out",
		      set.notes);
	ub_imgset_free(&set);
	return o;
}
