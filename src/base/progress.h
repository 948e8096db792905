/* Weighted, nested progress.  A step owns a share of its parent; children
 * split that share by weight, and byte counts interpolate inside a step.
 * One sink sees every event, so the TTY bar, JSON events and the journal's
 * step timings all follow the same numbers.  Every function accepts NULL
 * and then does nothing, so low layers report progress unconditionally. */
#ifndef UB_PROGRESS_H
#define UB_PROGRESS_H

#include <stdint.h>

enum ub_progress_kind {
	UB_PROGRESS_BEGIN,
	UB_PROGRESS_UPDATE,
	UB_PROGRESS_END,
};

struct ub_progress_event {
	enum ub_progress_kind kind;
	const char *step;     /* the step that changed */
	int depth;            /* 0 for the root */
	double fraction;      /* of the whole job, 0..1 */
	uint64_t done, total; /* the step's own units (bytes); total 0: unknown */
	double elapsed;       /* seconds since the step began */
	double rate;          /* units per second in this step, 0 when unknown */
	double eta;           /* seconds left in this step, < 0 when unknown */
	int outcome;          /* END only: 0 or a negative ub_code */
};

typedef void (*ub_progress_sink)(void *ctx, const struct ub_progress_event *ev);

struct ub_progress {
	struct ub_progress *parent;
	const char *name;
	ub_progress_sink sink;
	void *ctx;
	int depth;
	double base, span;       /* this step's share of the root */
	double weight;           /* this step's weight in its parent's plan */
	double weight_total;     /* sum of the children's weights (plan) */
	double weight_done;      /* weights of children already ended */
	uint64_t done, total;
	double interval;         /* least seconds between updates (inherited) */
	double t_start, t_last_emit;
	double last_fraction;
};

/* The root of a job.  sink may be NULL (progress computed, not shown). */
void ub_progress_root(struct ub_progress *p, const char *name,
		      ub_progress_sink sink, void *ctx);

/* Least seconds between two update events (default 0.1; 0 emits all). */
void ub_progress_set_interval(struct ub_progress *p, double seconds);

/* Declares the total weight of p's children (default: each child's weight
 * adds up as they begin, which is right only when they all begin early). */
void ub_progress_plan(struct ub_progress *p, double weight_total);

/* Begins a child step with weight (in parent's plan units) and a total of
 * units (0 when unknown). */
void ub_progress_begin(struct ub_progress *child, struct ub_progress *parent,
		       const char *name, double weight, uint64_t total);

/* Sets the units done; events are rate-limited (at most ~10 per second,
 * and only when the fraction moved). */
void ub_progress_update(struct ub_progress *p, uint64_t done);

/* Ends a step with its outcome; the parent advances by its weight. */
void ub_progress_end(struct ub_progress *p, int outcome);

/* Seconds on a monotonic clock. */
double ub_now(void);

#endif
