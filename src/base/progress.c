#include "progress.h"

#include <string.h>
#include <time.h>

double ub_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void emit(struct ub_progress *p, enum ub_progress_kind kind,
		 int outcome, double now)
{
	struct ub_progress_event ev;
	double frac = p->span;

	if (!p->sink)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.step = p->name;
	ev.depth = p->depth;
	ev.done = p->done;
	ev.total = p->total;
	ev.elapsed = now - p->t_start;
	ev.eta = -1;
	ev.outcome = outcome;
	if (kind == UB_PROGRESS_BEGIN)
		frac = 0;
	else if (kind == UB_PROGRESS_UPDATE) {
		if (p->total > 0)
			frac = p->span * (double)p->done / (double)p->total;
		else if (p->weight_total > 0)
			frac = p->span * p->weight_done / p->weight_total;
		else
			frac = 0;
	}
	ev.fraction = p->base + frac;
	if (ev.fraction > 1)
		ev.fraction = 1;
	if (ev.elapsed > 0.05 && p->done > 0) {
		ev.rate = (double)p->done / ev.elapsed;
		if (p->total >= p->done && ev.rate > 0)
			ev.eta = (double)(p->total - p->done) / ev.rate;
	}
	p->last_fraction = ev.fraction;
	p->t_last_emit = now;
	p->sink(p->ctx, &ev);
}

void ub_progress_root(struct ub_progress *p, const char *name,
		      ub_progress_sink sink, void *ctx)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->name = name;
	p->sink = sink;
	p->ctx = ctx;
	p->span = 1;
	p->interval = 0.1;
	p->t_start = ub_now();
	emit(p, UB_PROGRESS_BEGIN, 0, p->t_start);
}

void ub_progress_set_interval(struct ub_progress *p, double seconds)
{
	if (p)
		p->interval = seconds;
}

void ub_progress_plan(struct ub_progress *p, double weight_total)
{
	if (p)
		p->weight_total = weight_total;
}

void ub_progress_begin(struct ub_progress *child, struct ub_progress *parent,
		       const char *name, double weight, uint64_t total)
{
	if (!child)
		return;
	memset(child, 0, sizeof *child);
	child->name = name;
	child->total = total;
	child->t_start = ub_now();
	if (!parent) {
		child->span = 1;
		return;
	}
	if (parent->weight_total < parent->weight_done + weight)
		parent->weight_total = parent->weight_done + weight;
	child->parent = parent;
	child->sink = parent->sink;
	child->ctx = parent->ctx;
	child->interval = parent->interval;
	child->depth = parent->depth + 1;
	child->base = parent->base +
		parent->span * parent->weight_done / parent->weight_total;
	child->span = parent->weight_total > 0 ?
		parent->span * weight / parent->weight_total : 0;
	child->weight = weight;
	emit(child, UB_PROGRESS_BEGIN, 0, child->t_start);
}

void ub_progress_update(struct ub_progress *p, uint64_t done)
{
	double now;

	if (!p)
		return;
	p->done = done;
	now = ub_now();
	if (now - p->t_last_emit < p->interval && done != p->total)
		return;
	emit(p, UB_PROGRESS_UPDATE, 0, now);
}

void ub_progress_end(struct ub_progress *p, int outcome)
{
	if (!p)
		return;
	if (p->total > 0 && p->done < p->total && outcome == 0)
		p->done = p->total;
	emit(p, UB_PROGRESS_END, outcome, ub_now());
	if (p->parent) {
		p->parent->weight_done += p->weight;
		ub_progress_update(p->parent, p->parent->done);
	}
}
