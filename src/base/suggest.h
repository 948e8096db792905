/* "Did you mean ...?": the closest of a few known words to one that is not
 * known (a key in a profile, a flag word, a command, an option, a spec
 * key), so a typo is named with its fix instead of only refused. */
#ifndef UB_SUGGEST_H
#define UB_SUGGEST_H

#include <stddef.h>

/* The candidate closest to typo by edit distance (insertions, deletions,
 * substitutions and swaps of two neighbours each count one; case is
 * ignored), or NULL when none is close enough to be a likely typo: at most
 * one edit for words of up to 5 characters, one more for every 4 after
 * that.  Ties go to the earlier candidate; NULL candidates are skipped.
 * The result is one of the candidates, not a copy. */
const char *ub_suggest(const char *typo, const char *const *candidates, size_t n);

/* The edit distance itself (as above), or (size_t)-1 when a word is longer
 * than 64 characters: no typo of such a word is guessed. */
size_t ub_edit_distance(const char *a, const char *b);

#endif
