/* Detached signatures.  Three families of files, told apart by content:
 *
 * signify / usign / minisign keys and signatures are base64 lines after an
 * "untrusted comment:" line.  A key decodes to 42 bytes: "Ed", an 8-byte
 * key id, the 32-byte Ed25519 key.  A signature decodes to 74 bytes: "Ed"
 * (the data itself is signed) or "ED" (minisign's prehashed mode: the
 * BLAKE2b-512 of the data is signed), the key id, the 64-byte signature.
 * minisign adds a "trusted comment:" line and a global signature over the
 * signature and that comment, which must verify too.
 *
 * PEM public keys (RSA, ECDSA, Ed25519) come with a raw signature as
 * `openssl dgst -sha256 -sign` or `openssl pkeyutl -sign -rawin` write it.
 *
 * All verification is OpenSSL's.  Pure Ed25519 (signify/usign, minisign -l,
 * openssl pkeyutl -rawin) signs the whole message and OpenSSL verifies it
 * in one call, so the data must be in memory: images over
 * UB_SIG_ONESHOT_MAX are refused with advice "signature-too-big", which
 * points at minisign's prehashed form (streamed here through BLAKE2b-512)
 * or at openssl dgst signatures (streamed through SHA-256/512). */
#include "signature.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/file.h"

#define UB_SIG_ONESHOT_MAX (256u << 20)
#define KEY_FILE_MAX (64u << 10)
#define SIG_FILE_MAX (64u << 10)
#define CHUNK (128u << 10)

struct edkey {
	uint8_t id[8];
	uint8_t pk[32];
};

struct edsig {
	uint8_t alg[2];
	uint8_t id[8];
	uint8_t sig[64];
	int minisign;             /* trusted comment and global signature present */
	char trusted[1024];       /* the trusted comment's text */
	uint8_t global[64];
};

/* Decodes one base64 line; returns the byte count or -1. */
static long b64(const char *s, size_t n, uint8_t *out, size_t cap)
{
	uint8_t tmp[512];
	int len, pad = 0;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (n == 0 || n % 4 || n / 4 * 3 > sizeof tmp)
		return -1;
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	len = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)(len - pad) > cap)
		return -1;
	memcpy(out, tmp, (size_t)(len - pad));
	return len - pad;
}

/* The n-th line (0-based) of buf, without its newline. */
static const char *line_at(const char *buf, size_t len, int n, size_t *llen)
{
	const char *p = buf, *end = buf + len;

	while (n-- > 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end)
		return NULL;
	*llen = (size_t)((const char *)(memchr(p, '\n', (size_t)(end - p)) ?
		memchr(p, '\n', (size_t)(end - p)) : end) - p);
	return p;
}

static int starts(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return p && n >= k && memcmp(p, prefix, k) == 0;
}

static int parse_edkey(const uint8_t *buf, size_t len, struct edkey *k)
{
	uint8_t raw[64];
	size_t n = 0;
	const char *l = line_at((const char *)buf, len, 0, &n);

	if (!starts(l, n, "untrusted comment:"))
		return -1;
	l = line_at((const char *)buf, len, 1, &n);
	if (!l || b64(l, n, raw, sizeof raw) != 42 || raw[0] != 'E' || raw[1] != 'd')
		return -1;
	memcpy(k->id, raw + 2, 8);
	memcpy(k->pk, raw + 10, 32);
	return 0;
}

static int parse_edsig(const uint8_t *buf, size_t len, struct edsig *s)
{
	uint8_t raw[80];
	size_t n = 0;
	const char *l = line_at((const char *)buf, len, 0, &n);

	memset(s, 0, sizeof *s);
	if (!starts(l, n, "untrusted comment:"))
		return -1;
	l = line_at((const char *)buf, len, 1, &n);
	if (!l || b64(l, n, raw, sizeof raw) != 74 || raw[0] != 'E' ||
	    (raw[1] != 'd' && raw[1] != 'D'))
		return -1;
	memcpy(s->alg, raw, 2);
	memcpy(s->id, raw + 2, 8);
	memcpy(s->sig, raw + 10, 64);
	l = line_at((const char *)buf, len, 2, &n);
	if (starts(l, n, "trusted comment: ")) {
		size_t t = n - strlen("trusted comment: ");

		while (t > 0 && l[strlen("trusted comment: ") + t - 1] == '\r')
			t--;
		if (t >= sizeof s->trusted)
			return -1;
		memcpy(s->trusted, l + strlen("trusted comment: "), t);
		s->trusted[t] = '\0';
		l = line_at((const char *)buf, len, 3, &n);
		if (!l || b64(l, n, s->global, sizeof s->global) != 64)
			return -1;
		s->minisign = 1;
	} else if (s->alg[1] == 'D') {
		return -1;   /* prehashed signatures are minisign's only */
	} else if (l && n > 0 && !(n == 1 && l[0] == '\r')) {
		/* a detached signify/usign signature is two lines; a third
		 * that is not a trusted comment is a damaged minisign file */
		return -1;
	}
	return 0;
}

/* A key id as the tool shows it: minisign prints it as a little-endian
 * number in uppercase ("minisign public key 1288221C3BA507AB"), usign -F
 * prints the bytes in order in lowercase. */
static void keyid_text(const uint8_t *id, int minisign, char *out)
{
	int i;

	for (i = 0; i < 8; i++)
		sprintf(out + 2 * i, minisign ? "%02X" : "%02x",
			id[minisign ? 7 - i : i]);
}

/* The trusted comment for display: it comes from the file, so control
 * bytes (terminal escapes) become '?' before anyone prints it; tabs, which
 * minisign's default comment has between its fields, become spaces. */
static void printable(const char *in, char *out, size_t cap)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)in[i];

		out[i] = c == '\t' ? ' ' : c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[i] = '\0';
}

/* Reads the whole source for one-shot algorithms. */
static int slurp(const struct ub_src *data, uint8_t **out, struct ub_err *e)
{
	if (data->size > UB_SIG_ONESHOT_MAX)
		return ub_err_set(e, UB_EFAIL, "signature-too-big",
				  "%s is %llu bytes; signatures over the whole data (pure Ed25519) are checked up to %u MiB; sign large images with minisign's prehashed form (minisign -S without -l) or with openssl dgst -sha256 -sign",
				  data->label, (unsigned long long)data->size, UB_SIG_ONESHOT_MAX >> 20);
	*out = malloc(data->size ? (size_t)data->size : 1);
	if (!*out)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (ub_src_read(data, 0, *out, (size_t)data->size, e)) {
		free(*out);
		return e ? e->code : UB_EIO;
	}
	return 0;
}

/* 1 verified, 0 not, < 0 error. */
static int ed25519_ok(const uint8_t pk[32], const uint8_t sig[64],
		      const uint8_t *msg, size_t len)
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (key && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

/* Streams the source through a digest. */
static int hash_src(const struct ub_src *data, const EVP_MD *md, uint8_t *out,
		    unsigned *outlen, struct ub_err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(CHUNK);
	uint64_t off = 0;
	int rc = 0;

	if (!ctx || !buf) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (!md || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		rc = ub_err_set(e, UB_EFAIL, NULL, "a digest is not available in this OpenSSL");
		goto out;
	}
	while (off < data->size) {
		size_t n = data->size - off < CHUNK ? (size_t)(data->size - off) : CHUNK;

		if ((rc = ub_src_read(data, off, buf, n, e)))
			goto out;
		if (EVP_DigestUpdate(ctx, buf, n) != 1) {
			rc = ub_err_set(e, UB_EFAIL, NULL, "hashing failed in OpenSSL");
			goto out;
		}
		off += n;
	}
	if (EVP_DigestFinal_ex(ctx, out, outlen) != 1)
		rc = ub_err_set(e, UB_EFAIL, NULL, "hashing failed in OpenSSL");
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

static int verify_ed(const struct ub_src *data, const struct edsig *s,
		     const struct edkey *k, struct ub_checks *checks,
		     struct ub_err *e)
{
	const char *kind = s->minisign ? "minisign" : "signify/usign";
	char want[17], got[17], shown[200];
	uint8_t *msg = NULL, hash[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	int ok, rc;

	keyid_text(k->id, s->minisign, want);
	keyid_text(s->id, s->minisign, got);
	printable(s->trusted, shown, sizeof shown);
	if (memcmp(k->id, s->id, 8) != 0) {
		ub_checks_add(checks, "signature", UB_FAIL, "signature-keyid",
			      "%s signature made with key %s, the key given is %s", kind, got, want);
		return 0;
	}
	if (s->alg[1] == 'D') {
		const EVP_MD *b2 = EVP_get_digestbyname("BLAKE2B512");

		if (!b2)
			return ub_err_set(e, UB_EFAIL, "signature-format",
					  "this OpenSSL has no BLAKE2b-512 for minisign's prehashed signatures");
		if ((rc = hash_src(data, b2, hash, &hlen, e)))
			return rc;
		ok = ed25519_ok(k->pk, s->sig, hash, hlen);
	} else {
		if ((rc = slurp(data, &msg, e)))
			return rc;
		ok = ed25519_ok(k->pk, s->sig, msg, (size_t)data->size);
		free(msg);
	}
	if (ok && s->minisign) {
		uint8_t glob[64 + sizeof s->trusted];
		size_t tl = strlen(s->trusted);

		memcpy(glob, s->sig, 64);
		memcpy(glob + 64, s->trusted, tl);
		if (!ed25519_ok(k->pk, s->global, glob, 64 + tl)) {
			ub_checks_add(checks, "signature", UB_FAIL, "signature-bad",
				      "minisign signature of the data is good, but its trusted comment was altered (\"%s\")",
				      shown);
			return 0;
		}
	}
	if (ok)
		ub_checks_add(checks, "signature", UB_PASS, NULL,
			      "%s%s Ed25519 signature by key %s verified over %llu bytes%s%s%s",
			      kind, s->alg[1] == 'D' ? " prehashed" : "", want,
			      (unsigned long long)data->size,
			      s->minisign ? " (trusted comment: \"" : "",
			      s->minisign ? shown : "", s->minisign ? "\")" : "");
	else
		ub_checks_add(checks, "signature", UB_FAIL, "signature-bad",
			      "%s signature by key %s does not match the data", kind, want);
	return 0;
}

static int verify_pem(const struct ub_src *data, const uint8_t *sig,
		      size_t sig_len, EVP_PKEY *key, struct ub_checks *checks,
		      struct ub_err *e)
{
	int type = EVP_PKEY_get_base_id(key), ok = 0, rc = 0;
	const char *kind = type == EVP_PKEY_RSA ? "RSA" : type == EVP_PKEY_EC ? "ECDSA" :
		type == EVP_PKEY_ED25519 ? "Ed25519" : NULL;
	const char *how = "";

	if (!kind)
		return ub_err_set(e, UB_EFAIL, "signature-key",
				  "the PEM key is of a kind unbrick does not verify (RSA, ECDSA and Ed25519 are supported)");
	if (type == EVP_PKEY_ED25519) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		uint8_t *msg;

		if ((rc = slurp(data, &msg, e))) {
			EVP_MD_CTX_free(ctx);
			return rc;
		}
		if (ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
			ok = EVP_DigestVerify(ctx, sig, sig_len, msg, (size_t)data->size) == 1;
		EVP_MD_CTX_free(ctx);
		free(msg);
	} else {
		/* openssl dgst signs a digest of the data; try the usual ones */
		static const char *const mds[] = { "SHA256", "SHA512", "SHA384" };
		size_t i;

		for (i = 0; !ok && !rc && i < sizeof mds / sizeof mds[0]; i++) {
			const EVP_MD *md = EVP_get_digestbyname(mds[i]);
			uint8_t hash[EVP_MAX_MD_SIZE];
			unsigned hlen;
			EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, NULL);

			if (!(rc = hash_src(data, md, hash, &hlen, e)) && pc &&
			    EVP_PKEY_verify_init(pc) == 1 &&
			    EVP_PKEY_CTX_set_signature_md(pc, md) == 1 &&
			    EVP_PKEY_verify(pc, sig, sig_len, hash, hlen) == 1) {
				ok = 1;
				how = mds[i];
			}
			EVP_PKEY_CTX_free(pc);
		}
		if (rc)
			return rc;
	}
	if (ok)
		ub_checks_add(checks, "signature", UB_PASS, NULL,
			      "%s signature%s%s verified with the PEM key", kind,
			      *how ? " over " : "", how);
	else
		ub_checks_add(checks, "signature", UB_FAIL, "signature-bad",
			      "%s signature (%zu bytes) does not match the data with the PEM key given",
			      kind, sig_len);
	return 0;
}

/* A PEM public key (SubjectPublicKeyInfo or PKCS#1 "RSA PUBLIC KEY"), or
 * NULL.  Secret keys are not decoded: only the public part is selected. */
static EVP_PKEY *read_pem(const uint8_t *key, size_t key_len)
{
	const unsigned char *p = key;
	size_t left = key_len;
	EVP_PKEY *pk = NULL;
	OSSL_DECODER_CTX *d = OSSL_DECODER_CTX_new_for_pkey(&pk, "PEM", NULL, NULL,
							    EVP_PKEY_PUBLIC_KEY,
							    NULL, NULL);

	if (!d || OSSL_DECODER_from_data(d, &p, &left) != 1) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	OSSL_DECODER_CTX_free(d);
	ERR_clear_error();   /* failures are reported here, not queued */
	return pk;
}

/* Whether the first line of a text file mentions a secret key, as the
 * comments signify and minisign write into their secret key files do, or
 * a PEM private key block appears. */
static int secret_key(const uint8_t *key, size_t key_len)
{
	size_t n = 0;
	const char *l = line_at((const char *)key, key_len, 0, &n);

	return (l && memmem(l, n, "secret key", 10)) ||
	       memmem(key, key_len, "PRIVATE KEY-----", 16) != NULL;
}

int ub_sig_verify_buf(const struct ub_src *data, const uint8_t *sig,
		      size_t sig_len, const uint8_t *key, size_t key_len,
		      struct ub_checks *checks, struct ub_err *e)
{
	size_t lead = 0, n = 0;
	const char *first = line_at((const char *)sig, sig_len, 0, &n);
	int text_sig = starts(first, n, "untrusted comment:");
	struct edkey k;
	struct edsig s;

	if (key_len == 0)
		return ub_err_set(e, UB_EFAIL, "signature-key", "the key file is empty");
	if (sig_len == 0)
		return ub_err_set(e, UB_EFAIL, "signature-format", "the signature file is empty");
	if (secret_key(key, key_len))
		return ub_err_set(e, UB_EFAIL, "signature-key",
				  "the key given is a secret key; pass the public key (.pub, or openssl pkey -pubout)");
	while (lead < key_len && (key[lead] == ' ' || key[lead] == '\t' ||
				  key[lead] == '\r' || key[lead] == '\n'))
		lead++;
	if (key_len - lead >= 10 && memcmp(key + lead, "-----BEGIN", 10) == 0) {
		EVP_PKEY *pk = read_pem(key, key_len);
		int rc;

		if (!pk)
			return ub_err_set(e, UB_EFAIL, "signature-key",
					  "the key is PEM but not a public key OpenSSL can read (expected -----BEGIN PUBLIC KEY-----)");
		if (text_sig) {
			EVP_PKEY_free(pk);
			return ub_err_set(e, UB_EFAIL, "signature-format",
					  "the signature is a signify/usign/minisign file, but the key is PEM; pass the matching .pub key");
		}
		if (sig_len > 1024) {
			EVP_PKEY_free(pk);
			return ub_err_set(e, UB_EFAIL, "signature-format",
					  "a PEM key takes a raw binary signature (openssl dgst -sign); this one is %zu bytes",
					  sig_len);
		}
		rc = verify_pem(data, sig, sig_len, pk, checks, e);
		EVP_PKEY_free(pk);
		return rc;
	}
	if (parse_edkey(key, key_len, &k) != 0)
		return ub_err_set(e, UB_EFAIL, "signature-key",
				  "the key is neither a signify/usign/minisign public key nor a PEM public key");
	if (!text_sig)
		return ub_err_set(e, UB_EFAIL, "signature-format",
				  "the signature is not a signify/usign or minisign file (a raw openssl signature needs a PEM key)");
	if (parse_edsig(sig, sig_len, &s) != 0)
		return ub_err_set(e, UB_EFAIL, "signature-format",
				  "the signature file is damaged: not a complete signify/usign or minisign signature");
	return verify_ed(data, &s, &k, checks, e);
}

int ub_sig_verify(const struct ub_src *data, const char *sig_path,
		  const char *key_path, struct ub_checks *checks,
		  struct ub_err *e)
{
	char *sig = NULL, *key = NULL;
	size_t sig_len, key_len;
	int rc;

	rc = ub_read_small(key_path, KEY_FILE_MAX, "public key", "signature-key",
			   &key, &key_len, e);
	if (!rc)
		rc = ub_read_small(sig_path, SIG_FILE_MAX, "signature", "signature-format",
				   &sig, &sig_len, e);
	if (!rc)
		rc = ub_sig_verify_buf(data, (uint8_t *)sig, sig_len, (uint8_t *)key,
				       key_len, checks, e);
	free(sig);
	free(key);
	return rc;
}
