/* Progress as people and programs see it: a one-line bar on a TTY (bytes,
 * rate, ETA), and JSON events on stdout with --json-progress. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int bar_drawn;

/* Before any other message: take the bar off its line; the next update
 * draws it again below the message. */
void cli_progress_clear(void)
{
	if (bar_drawn) {
		fputs(cli_clear_line(), stderr);
		bar_drawn = 0;
	}
}

static void draw_bar(const struct ub_progress_event *ev)
{
	char done[32], total[32], rate[32];
	int width = 30, filled = (int)(ev->fraction * width + 0.5), i;

	fprintf(stderr, "%s%-18.18s [", cli_clear_line(), ev->step ? ev->step : "");
	for (i = 0; i < width; i++)
		fputc(i < filled ? '#' : '.', stderr);
	fprintf(stderr, "] %3.0f%%", ev->fraction * 100);
	if (ev->total > 0)
		fprintf(stderr, " %s/%s", cli_bytes((double)ev->done, done, sizeof done),
			cli_bytes((double)ev->total, total, sizeof total));
	if (ev->rate > 0)
		fprintf(stderr, " %s/s", cli_bytes(ev->rate, rate, sizeof rate));
	if (ev->eta >= 0)
		fprintf(stderr, " ETA %ds", (int)(ev->eta + 0.5));
	fflush(stderr);
	bar_drawn = 1;
}

static void emit_json(const struct ub_progress_event *ev)
{
	static const char *const kinds[] = { "begin", "update", "end" };
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:f, s:I, s:I, s:f}",
			      "event", "progress",
			      "kind", kinds[ev->kind],
			      "step", ev->step ? ev->step : "",
			      "depth", ev->depth,
			      "fraction", ev->fraction,
			      "done", (json_int_t)ev->done,
			      "total", (json_int_t)ev->total,
			      "elapsed", ev->elapsed);

	if (o && ev->rate > 0)
		json_object_set_new(o, "rate", json_real(ev->rate));
	if (o && ev->eta >= 0)
		json_object_set_new(o, "eta", json_real(ev->eta));
	if (o && ev->kind == UB_PROGRESS_END)
		json_object_set_new(o, "outcome",
				    json_string(ub_code_name(ev->outcome)));
	cli_json_emit(o);
}

void cli_progress_sink(void *ctx, const struct ub_progress_event *ev)
{
	(void)ctx;
	if (cli_out.json_progress)
		emit_json(ev);
	if (!cli_out.tty || cli_out.quiet)
		return;
	if (ev->kind == UB_PROGRESS_END && ev->depth == 0) {
		if (bar_drawn)
			fputs(cli_clear_line(), stderr);
		bar_drawn = 0;
		return;
	}
	/* Only steps that count bytes are worth a bar; the rest flicker. */
	if (ev->total > 0 || bar_drawn)
		draw_bar(ev);
}
