/* Detached signatures on fixed vectors made once by the real tools
 * (tests/data/sig/make.sh: signify-openbsd, minisign prehashed and legacy,
 * openssl RSA/ECDSA/Ed25519): each verifies; a flipped data or signature
 * byte fails; another key fails with the right advice; damaged, empty,
 * swapped and cut files are errors with advice, never a check or a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "image/signature.h"

struct vec {
	const char *sig, *key, *other;  /* other: a key that did not sign */
	const char *other_advice;       /* what the other key yields */
	const char *why;                /* in the passing check's why */
};

static const struct vec vecs[] = {
	{ "data.bin.sig", "signify.pub", "signify2.pub", "signature-keyid", "signify/usign Ed25519" },
	{ "data.bin.minisig", "minisign.pub", "minisign2.pub", "signature-keyid",
	  "minisign prehashed Ed25519 signature by key 1288221C3BA507AB verified over 3000 bytes (trusted comment: \"acme-wr100 1.2.0\")" },
	{ "data.bin.legacy.minisig", "minisign.pub", "minisign2.pub", "signature-keyid",
	  "trusted comment: \"acme-wr100 1.2.0 legacy\"" },
	{ "data.bin.rsa.sig", "rsa.pem", "ec.pem", "signature-bad", "RSA signature over SHA256" },
	{ "data.bin.rsa512.sig", "rsa.pem", "ed25519.pem", "signature-bad", "RSA signature over SHA512" },
	{ "data.bin.ec.sig", "ec.pem", "rsa.pem", "signature-bad", "ECDSA signature over SHA256" },
	{ "data.bin.ed25519.sig", "ed25519.pem", "ec.pem", "signature-bad", "Ed25519 signature verified" },
};

static char *path_of(const char *name)
{
	static char path[1024];
	const char *dir = getenv("UB_TESTDATA");

	snprintf(path, sizeof path, "%s/sig/%s", dir ? dir : "tests/data", name);
	return path;
}

static uint8_t *load(const char *name, size_t *len)
{
	FILE *f = fopen(path_of(name), "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* An in-memory file holding pre bytes of junk, the data, then post bytes
 * of junk, seen through a window on the data alone. */
struct mem {
	struct ub_src file, win;
};

static void mem_open(struct mem *m, const uint8_t *data, size_t len,
		     size_t pre, size_t post)
{
	struct ub_err e;
	int fd = memfd_create("sig-data", 0);
	uint8_t junk[64];

	memset(junk, 0x5a, sizeof junk);
	assert_true(fd >= 0 && pre <= sizeof junk && post <= sizeof junk);
	assert_int_equal(write(fd, junk, pre), (ssize_t)pre);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(write(fd, junk, post), (ssize_t)post);
	assert_int_equal(ub_src_from_fd(&m->file, fd, "data", &e), 0);
	assert_int_equal(ub_src_window(&m->win, &m->file, pre, len, &e), 0);
}

/* Verifies and returns the check's verdict, or -1 on an error (whose
 * advice id is then in *advice); no check may be added on error, and
 * exactly one otherwise. */
static int verify(const uint8_t *data, size_t data_len, const uint8_t *sig,
		  size_t sig_len, const uint8_t *key, size_t key_len,
		  const char **advice, char *why)
{
	struct ub_checks checks = { 0 };
	struct ub_err e;
	struct mem m;
	int rc, v = -1;

	mem_open(&m, data, data_len, 7, 5);
	memset(&e, 0, sizeof e);
	rc = ub_sig_verify_buf(&m.win, sig, sig_len, key, key_len, &checks, &e);
	*advice = NULL;
	if (rc < 0) {
		assert_int_equal(checks.n, 0);
		assert_int_equal(rc, e.code);
		assert_true(e.msg[0] != '\0');
		*advice = e.advice_id;
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(checks.n, 1);
		assert_string_equal(checks.v[0].name, "signature");
		v = (int)checks.v[0].verdict;
		*advice = checks.v[0].advice_id;
		if (why)
			strcpy(why, checks.v[0].why);
		if (v == UB_PASS)
			assert_null(*advice);
		else
			assert_int_equal(v, UB_FAIL);
	}
	ub_checks_free(&checks);
	ub_src_close(&m.file);
	return v;
}

static int verify_files(const uint8_t *data, size_t data_len, const char *sig,
			const char *key, const char **advice, char *why)
{
	size_t sl, kl;
	uint8_t *s = load(sig, &sl), *k = load(key, &kl);
	int v = verify(data, data_len, s, sl, k, kl, advice, why);

	free(s);
	free(k);
	return v;
}

static void valid_signatures_pass(void **state)
{
	size_t dl;
	uint8_t *data = load("data.bin", &dl);
	const char *advice;
	char why[400];

	(void)state;
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		print_message("%s with %s\n", vecs[i].sig, vecs[i].key);
		assert_int_equal(verify_files(data, dl, vecs[i].sig, vecs[i].key,
					      &advice, why), UB_PASS);
		if (!strstr(why, vecs[i].why))
			fail_msg("why \"%s\" lacks \"%s\"", why, vecs[i].why);
	}
	free(data);
}

/* Any byte of the data flipped: first, middle, last. */
static void flipped_data_fails(void **state)
{
	static const size_t at[] = { 0, 1499, 2999 };
	size_t dl;
	uint8_t *data = load("data.bin", &dl);
	const char *advice;
	char why[400];

	(void)state;
	assert_int_equal(dl, 3000);
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
		for (size_t j = 0; j < sizeof at / sizeof at[0]; j++) {
			data[at[j]] ^= 0x01;
			assert_int_equal(verify_files(data, dl, vecs[i].sig, vecs[i].key,
						      &advice, why), UB_FAIL);
			assert_string_equal(advice, "signature-bad");
			data[at[j]] ^= 0x01;
		}
	/* one byte more or less is another message too */
	assert_int_equal(verify_files(data, dl - 1, "data.bin.sig", "signify.pub", &advice, why), UB_FAIL);
	assert_int_equal(verify_files(data, dl - 1, "data.bin.minisig", "minisign.pub", &advice, why), UB_FAIL);
	assert_int_equal(verify_files(data, dl - 1, "data.bin.rsa.sig", "rsa.pem", &advice, why), UB_FAIL);
	free(data);
}

/* Swaps one base64 character of line `line` (0-based) for another valid
 * one, so the file still parses but carries other bytes. */
static void alter_b64(uint8_t *buf, size_t len, int line, size_t col)
{
	size_t i = 0;

	for (int l = 0; l < line; l++) {
		while (i < len && buf[i] != '\n')
			i++;
		i++;
	}
	assert_true(i + col < len && buf[i + col] != '\n');
	buf[i + col] = buf[i + col] == 'A' ? 'B' : 'A';
}

static void flipped_signature_fails(void **state)
{
	size_t dl, sl, kl;
	uint8_t *data = load("data.bin", &dl), *sig, *key;
	const char *advice;
	char why[400];

	(void)state;
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		int text = vecs[i].key[strlen(vecs[i].key) - 1] == 'b';   /* .pub */

		sig = load(vecs[i].sig, &sl);
		key = load(vecs[i].key, &kl);
		if (text) {
			/* base64 column 40 is byte 30: inside the 64-byte signature */
			alter_b64(sig, sl, 1, 40);
		} else {
			sig[sl / 2] ^= 0x10;
		}
		print_message("%s altered\n", vecs[i].sig);
		assert_int_equal(verify(data, dl, sig, sl, key, kl, &advice, why), UB_FAIL);
		assert_string_equal(advice, "signature-bad");
		free(sig);
		free(key);
	}
	/* minisign: the global signature, and the trusted comment it covers */
	sig = load("data.bin.minisig", &sl);
	key = load("minisign.pub", &kl);
	alter_b64(sig, sl, 3, 20);
	assert_int_equal(verify(data, dl, sig, sl, key, kl, &advice, why), UB_FAIL);
	assert_string_equal(advice, "signature-bad");
	assert_non_null(strstr(why, "trusted comment was altered"));
	free(sig);
	sig = load("data.bin.minisig", &sl);
	assert_int_equal(verify(data, dl, sig, sl, key, kl, &advice, why), UB_PASS);
	{
		char *tc = strstr((char *)sig, "wr100");

		assert_non_null(tc);
		tc[0] = 'W';
	}
	assert_int_equal(verify(data, dl, sig, sl, key, kl, &advice, why), UB_FAIL);
	assert_string_equal(advice, "signature-bad");
	assert_non_null(strstr(why, "Wr100"));
	free(sig);
	free(key);
	free(data);
}

/* The trusted comment is shown to people: a terminal escape in it (signed
 * or not) must not reach the screen, and minisign's tabs read as spaces. */
static void trusted_comment_shown_safely(void **state)
{
	size_t dl;
	uint8_t *data = load("data.bin", &dl);
	const char *advice;
	char why[400];

	(void)state;
	assert_int_equal(verify_files(data, dl, "data.bin.escape.minisig", "minisign.pub",
				      &advice, why), UB_PASS);
	assert_non_null(strstr(why, "(trusted comment: \"red ?[31mtext here\")"));
	assert_null(strchr(why, '\033'));
	data[0] ^= 1;
	assert_int_equal(verify_files(data, dl, "data.bin.escape.minisig", "minisign.pub",
				      &advice, why), UB_FAIL);
	assert_null(strchr(why, '\033'));
	free(data);
}

static void other_key_fails(void **state)
{
	size_t dl;
	uint8_t *data = load("data.bin", &dl);
	const char *advice;
	char why[400];

	(void)state;
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		assert_int_equal(verify_files(data, dl, vecs[i].sig, vecs[i].other,
					      &advice, why), UB_FAIL);
		assert_string_equal(advice, vecs[i].other_advice);
	}
	/* the key ids named as the tools print them */
	assert_int_equal(verify_files(data, dl, "data.bin.minisig", "minisign2.pub", &advice, why), UB_FAIL);
	assert_non_null(strstr(why, "made with key 1288221C3BA507AB"));
	/* signify and minisign share the key format: the id tells them apart */
	assert_int_equal(verify_files(data, dl, "data.bin.sig", "minisign.pub", &advice, why), UB_FAIL);
	assert_string_equal(advice, "signature-keyid");
	assert_int_equal(verify_files(data, dl, "data.bin.minisig", "signify.pub", &advice, why), UB_FAIL);
	assert_string_equal(advice, "signature-keyid");
	free(data);
}

/* Files that are not what they should be: errors with advice, no check. */
static void bad_files_are_errors(void **state)
{
	static const struct {
		const char *sig, *key, *advice;
	} cases[] = {
		{ "data.bin.sig", "signify.sec", "signature-key" },      /* secret key */
		{ "data.bin.minisig", "minisign.key", "signature-key" },
		{ "data.bin.rsa.sig", "rsa.key", "signature-key" },
		{ "data.bin.ed25519.sig", "ed25519.key", "signature-key" },
		{ "data.bin.sig", "rsa.pem", "signature-format" },      /* swapped kinds */
		{ "data.bin.minisig", "ec.pem", "signature-format" },
		{ "data.bin.rsa.sig", "signify.pub", "signature-format" },
		{ "data.bin.ed25519.sig", "minisign.pub", "signature-format" },
		{ "signify.pub", "signify.pub", "signature-format" },    /* a key as signature */
		{ "data.bin", "signify.pub", "signature-format" },
		{ "data.bin.sig", "data.bin.sig", "signature-key" },     /* a signature as key */
		{ "data.bin.rsa.sig", "data.bin", "signature-key" },
	};
	static const char *const junk[] = {
		"", "\n", "hello\n", "untrusted comment:", "untrusted comment: x\n",
		"untrusted comment: x\n\n", "untrusted comment: x\n====\n",
		"untrusted comment: x\nRWQ=\n", "untrusted comment: x\n!!!!\n",
		"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
		"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	};
	size_t dl, sl, kl;
	uint8_t *data = load("data.bin", &dl), *sig, *key;
	const char *advice;
	char why[400];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		print_message("%s with %s\n", cases[i].sig, cases[i].key);
		assert_int_equal(verify_files(data, dl, cases[i].sig, cases[i].key,
					      &advice, why), -1);
		assert_string_equal(advice, cases[i].advice);
	}
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		const uint8_t *j = (const uint8_t *)junk[i];

		sig = load("data.bin.sig", &sl);
		key = load("signify.pub", &kl);
		assert_int_equal(verify(data, dl, j, strlen(junk[i]), key, kl, &advice, why), -1);
		assert_string_equal(advice, "signature-format");
		assert_int_equal(verify(data, dl, sig, sl, j, strlen(junk[i]), &advice, why), -1);
		assert_string_equal(advice, "signature-key");
		free(sig);
		free(key);
	}
	/* a raw signature that is empty, or far too long, for a PEM key */
	key = load("rsa.pem", &kl);
	assert_int_equal(verify(data, dl, (const uint8_t *)"", 0, key, kl, &advice, why), -1);
	assert_string_equal(advice, "signature-format");
	sig = calloc(1, 4096);
	assert_int_equal(verify(data, dl, sig, 4096, key, kl, &advice, why), -1);
	assert_string_equal(advice, "signature-format");
	free(sig);
	free(key);
	free(data);
}

/* End offset (just past the newline) of line `line` (0-based). */
static size_t line_end(const uint8_t *buf, size_t len, int line)
{
	size_t i = 0;

	for (int l = 0; l <= line; l++) {
		while (i < len && buf[i] != '\n')
			i++;
		i++;
	}
	return i;
}

/* Every prefix of every signature and key file: an error with the right
 * advice or a failing check, and a pass only for a prefix that still holds
 * a whole signature (the final newline may go; a legacy minisign signature
 * cut after its second line is a valid signify signature). */
static void truncated_files(void **state)
{
	size_t dl;
	uint8_t *data = load("data.bin", &dl);
	const char *advice;
	char why[400];

	(void)state;
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		size_t sl, kl;
		uint8_t *sig = load(vecs[i].sig, &sl), *key = load(vecs[i].key, &kl);
		int text = vecs[i].key[strlen(vecs[i].key) - 1] == 'b';
		int legacy = strstr(vecs[i].sig, "legacy") != NULL;
		size_t e2 = line_end(sig, sl, 1);

		for (size_t n = 0; n < sl; n++) {
			int v = verify(data, dl, sig, n, key, kl, &advice, why);
			int may_pass = text && (n + 1 >= sl || (legacy && (n == e2 || n + 1 == e2)));

			if (v == UB_PASS && !may_pass)
				fail_msg("%s cut at %zu passes", vecs[i].sig, n);
			if (v != UB_PASS && may_pass && n + 1 >= sl)
				fail_msg("%s without its newline fails", vecs[i].sig);
			if (v == -1)
				assert_string_equal(advice, "signature-format");
			else if (v == UB_FAIL)
				assert_false(text);   /* text files are whole or errors */
			if (!text && n > 0)
				assert_int_equal(v, UB_FAIL);
		}
		for (size_t n = 0; n < kl; n++) {
			int v = verify(data, dl, sig, sl, key, n, &advice, why);

			if (n + 1 >= kl) {
				assert_int_equal(v, UB_PASS);
			} else {
				assert_int_equal(v, -1);
				assert_string_equal(advice, "signature-key");
			}
		}
		free(sig);
		free(key);
	}
	free(data);
}

/* Pure Ed25519 needs the data in memory: over 256 MiB it is refused with
 * its own advice (a sparse in-memory file, so nothing is allocated). */
static void pure_ed25519_bounded(void **state)
{
	static const char *const pure[][2] = {
		{ "data.bin.sig", "signify.pub" },
		{ "data.bin.legacy.minisig", "minisign.pub" },
		{ "data.bin.ed25519.sig", "ed25519.pem" },
	};
	struct ub_checks checks = { 0 };
	struct ub_src big;
	struct ub_err e;
	int fd = memfd_create("big", 0);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (256 << 20) + 1), 0);
	assert_int_equal(ub_src_from_fd(&big, fd, "big.bin", &e), 0);
	for (size_t i = 0; i < 3; i++) {
		size_t sl, kl;
		uint8_t *sig = load(pure[i][0], &sl), *key = load(pure[i][1], &kl);

		assert_true(ub_sig_verify_buf(&big, sig, sl, key, kl, &checks, &e) < 0);
		assert_string_equal(e.advice_id, "signature-too-big");
		assert_non_null(strstr(e.msg, "prehashed"));
		assert_int_equal(checks.n, 0);
		free(sig);
		free(key);
	}
	ub_src_close(&big);
}

static void from_files(void **state)
{
	struct ub_checks checks = { 0 };
	struct ub_src s;
	struct ub_err e;
	char sig[1024], key[1024], big[64];
	FILE *f;

	(void)state;
	assert_int_equal(ub_src_open(&s, path_of("data.bin"), &e), 0);
	snprintf(sig, sizeof sig, "%s", path_of("data.bin.minisig"));
	snprintf(key, sizeof key, "%s", path_of("minisign.pub"));
	assert_int_equal(ub_sig_verify(&s, sig, key, &checks, &e), 0);
	assert_int_equal(checks.n, 1);
	assert_int_equal(checks.v[0].verdict, UB_PASS);
	assert_true(ub_sig_verify(&s, sig, path_of("no-such.pub"), &checks, &e) < 0);
	assert_string_equal(e.advice_id, "io");
	assert_true(ub_sig_verify(&s, path_of("no-such.sig"), key, &checks, &e) < 0);
	assert_string_equal(e.advice_id, "io");
	/* a signature file far larger than any signature */
	snprintf(big, sizeof big, "/tmp/ub-sig-big.XXXXXX");
	{
		int fd = mkstemp(big);

		assert_true(fd >= 0);
		f = fdopen(fd, "w");
	}
	for (int i = 0; i < 100000; i++)
		fputs("untrusted comment: x\n", f);
	fclose(f);
	assert_true(ub_sig_verify(&s, big, key, &checks, &e) < 0);
	assert_string_equal(e.advice_id, "signature-format");
	unlink(big);
	assert_int_equal(checks.n, 1);
	ub_checks_free(&checks);
	ub_src_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_signatures_pass),
		cmocka_unit_test(flipped_data_fails),
		cmocka_unit_test(flipped_signature_fails),
		cmocka_unit_test(trusted_comment_shown_safely),
		cmocka_unit_test(other_key_fails),
		cmocka_unit_test(bad_files_are_errors),
		cmocka_unit_test(truncated_files),
		cmocka_unit_test(pure_ed25519_bounded),
		cmocka_unit_test(from_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
