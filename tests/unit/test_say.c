/* Text for a terminal: control characters from devices, images and the
 * network become visible escapes (base/sanitize.h), in ub_say's messages
 * too; printable text and valid UTF-8 pass as they are. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/sanitize.h"
#include "base/say.h"
#include "base/strbuf.h"

/* s of n bytes (NULs allowed), made safe. */
static char *safe(const char *s, size_t n)
{
	struct ub_strbuf b = { 0 };

	ub_sanitize_put(&b, s, n);
	return ub_sb_take(&b);
}

#define EXPECT(in, out) do { \
		char *got_ = safe((in), sizeof(in) - 1); \
		assert_non_null(got_); \
		assert_string_equal(got_, (out)); \
		free(got_); \
	} while (0)

static void terminal_sequences(void **state)
{
	(void)state;
	/* a title, a clear screen, a bell, a CSI without ESC (C1) */
	EXPECT("\033]0;pwned\007", "\\x1b]0;pwned\\x07");
	EXPECT("\033[2J\033[H", "\\x1b[2J\\x1b[H");
	EXPECT("model \xc2\x9b" "2J", "model \\u009b2J");       /* U+009B in UTF-8 */
	EXPECT("model \x9b" "2J", "model \\x9b2J");             /* a raw 0x9b */
	EXPECT("\xc2\x80\xc2\x9f\x80\x9f", "\\u0080\\u009f\\x80\\x9f");
	EXPECT("del\x7f", "del\\x7f");
	/* bidi controls reorder the line: RLO makes "0001x0" read "0x1000" */
	EXPECT("addr \xe2\x80\xae" "0001x0", "addr \\u202e0001x0");
	EXPECT("\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9\xd8\x9c",
	       "\\u200e\\u200f\\u202a\\u2066\\u2069\\u061c");
	/* their neighbours are text: a dash, an ellipsis, Arabic, CJK */
	EXPECT("\xe2\x80\x94\xe2\x80\xa6\xd8\xa7\xe4\xb8\xad", "\xe2\x80\x94\xe2\x80\xa6\xd8\xa7\xe4\xb8\xad");
	/* newline and tab are kept; carriage return and the rest are not */
	EXPECT("a\nb\tc\r\b\001", "a\nb\tc\\x0d\\x08\\x01");
	{
		char *got = safe("a\0b", 3);

		assert_string_equal(got, "a\\x00b");
		free(got);
	}
}

static void printable_text_unchanged(void **state)
{
	static const char *const same[] = {
		"U-Boot 2023.01 (Jan 01 2023 - 00:00:00 +0000)",
		"M\xc3\xbcller \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",   /* Müller 日本 😀 */
		"no-break\xc2\xa0space, U+00A0 is no control",
		"\xef\xbf\xbf \xf4\x8f\xbf\xbf",   /* U+FFFF, U+10FFFF */
		"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		char *got = ub_sanitize(same[i]);

		assert_string_equal(got, same[i]);
		free(got);
	}
}

static void invalid_utf8(void **state)
{
	(void)state;
	EXPECT("\xc0\xaf", "\\xc0\\xaf");                   /* overlong '/' */
	EXPECT("\xe0\x80\xaf", "\\xe0\\x80\\xaf");          /* overlong, 3 bytes */
	EXPECT("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* a surrogate */
	EXPECT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
	EXPECT("\xf5\x80", "\\xf5\\x80");
	EXPECT("Latin-1 \xfc", "Latin-1 \\xfc");
	EXPECT("ab\xe6\x97", "ab\\xe6\\x97");               /* cut at the end */
	EXPECT("\xe6\x97" "x", "\\xe6\\x97x");              /* cut in the middle */
	EXPECT("\xc2" "\033", "\\xc2\\x1b");
}

/* Text in pieces: a UTF-8 sequence cut between two waits for the rest. */
static void pieces(void **state)
{
	struct ub_strbuf b = { 0 };
	char *got;

	(void)state;
	assert_int_equal(ub_sanitize_put_some(&b, "ab\xe6\x97", 4), 2);
	assert_int_equal(ub_sanitize_put_some(&b, "\xe6\x97\xa5\033", 4), 4);
	/* an invalid byte is not waited for */
	assert_int_equal(ub_sanitize_put_some(&b, "\xff", 1), 1);
	got = ub_sb_take(&b);
	assert_string_equal(got, "ab\xe6\x97\xa5\\x1b\\xff");
	free(got);
}

static int hooked;

static void hook(void)
{
	hooked++;
}

/* ub_say's arguments carry device text: its output has no raw control
 * character but newlines, whatever the arguments held. */
static void say_is_safe(void **state)
{
	char path[] = "/tmp/ub-test-say-XXXXXX", buf[512];
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_int_equal(dup2(fd, 2), 2);
	ub_say_set_hook(hook);
	ub_say("model %s, serial %s\n", "wr\033]0;pwned\007-100", "\xc2\x9b" "2J");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ub_say_set_hook(NULL);
	n = pread(fd, buf, sizeof buf - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "model wr\\x1b]0;pwned\\x07-100, serial \\u009b2J\n");
	assert_int_equal(hooked, 1);
}

/* A message longer than ub_say's buffer on the stack is made safe whole. */
static void say_long(void **state)
{
	char path[] = "/tmp/ub-test-say-XXXXXX", *big = malloc(5000), *buf = malloc(6000);
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	(void)state;
	assert_true(big && buf && fd >= 0 && saved >= 0);
	memset(big, 'a', 4999);
	big[4990] = '\033';
	big[4999] = '\0';
	fflush(stderr);
	dup2(fd, 2);
	ub_say("%s\n", big);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, 5999, 0);
	close(fd);
	unlink(path);
	assert_int_equal(n, 4999 + 3 + 1);
	buf[n] = '\0';
	assert_null(memchr(buf, '\033', (size_t)n));
	assert_memory_equal(buf + 4990, "\\x1b", 4);
	free(big);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(terminal_sequences),
		cmocka_unit_test(printable_text_unchanged),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(pieces),
		cmocka_unit_test(say_is_safe),
		cmocka_unit_test(say_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
