/* Redaction of what leaves a case: a console log with U-Boot's setenv and
 * printenv, kernel arguments, shadow and passwd lines, a URL, JSON and a
 * PEM key; the names that are secrets and those that are not; JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "core/redact.h"

static char *redact(const char *in, unsigned *count)
{
	struct ub_redact r = { 0, 0 };
	struct ub_strbuf b = { 0 };

	ub_redact_text(&r, in, strlen(in), &b);
	if (count)
		*count = r.count;
	return ub_sb_take(&b);
}

static const char console[] =
	"=> setenv wpa_psk hunter2\r\n"
	"=> printenv\n"
	"wpa_psk=hunter2\n"
	"ethaddr=52:54:00:12:34:56\n"
	"bootargs=console=ttyS0 password=letmein root=/dev/mtdblock2\n"
	"serverip=10.0.0.1\n"
	"=> setenv -f admin_pass 'two words'; saveenv\n"
	"=> env set secret_token abc123\n"
	"# cat /etc/shadow\n"
	"root:$6$saltsalt$abcdefghijklmnopqrstuvwxyz012345:19000:0:99999:7:::\n"
	"daemon:*:19000:0:99999:7:::\n"
	"admin:abJnggxhB/yWI:19000:0:99999:7:::\n"
	"# cat /etc/passwd\n"
	"root:x:0:0:root:/root:/bin/sh\n"
	"passwd: hunter3\n"
	"Password: \n"
	"wget http://admin:s3cret@192.168.1.1/cgi-bin/x?user=a&password=p4ss&next=1\n"
	"{\"wifi\": {\"ssid\": \"home\", \"key\": \"hunter4\", \"channel\": 6}}\n"
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIEowIBAAKCAQEA1\n"
	"AbCdEf==\n"
	"-----END RSA PRIVATE KEY-----\n"
	"bcrypt $2b$12$abcdefghijklmnopqrstuv in a message\n"
	"Hit any key to stop autoboot:  0\n"
	"keyboard=us bypass=1 key-name-hint=dev\n"
	"no newline at the end: psk=x";

static const char console_redacted[] =
	"=> setenv wpa_psk [redacted]\r\n"
	"=> printenv\n"
	"wpa_psk=[redacted]\n"
	"ethaddr=52:54:00:12:34:56\n"
	"bootargs=console=ttyS0 password=[redacted] root=/dev/mtdblock2\n"
	"serverip=10.0.0.1\n"
	"=> setenv -f admin_pass [redacted]; saveenv\n"
	"=> env set secret_token [redacted]\n"
	"# cat /etc/shadow\n"
	"root:[redacted]:19000:0:99999:7:::\n"
	"daemon:*:19000:0:99999:7:::\n"
	"admin:[redacted]:19000:0:99999:7:::\n"
	"# cat /etc/passwd\n"
	"root:x:0:0:root:/root:/bin/sh\n"
	"passwd: [redacted]\n"
	"Password: \n"
	"wget http://admin:[redacted]@192.168.1.1/cgi-bin/x?user=a&password=[redacted]&next=1\n"
	"{\"wifi\": {\"ssid\": \"home\", \"key\": \"[redacted]\", \"channel\": 6}}\n"
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"[redacted]\n"
	"[redacted]\n"
	"-----END RSA PRIVATE KEY-----\n"
	"bcrypt [redacted] in a message\n"
	"Hit any key to stop autoboot:  0\n"
	"keyboard=us bypass=1 key-name-hint=dev\n"
	"no newline at the end: psk=[redacted]";

static void console_log(void **state)
{
	unsigned count;
	char *out = redact(console, &count);

	(void)state;
	assert_non_null(out);
	assert_string_equal(out, console_redacted);
	/* two wpa_psk, password, admin_pass, secret_token, two shadow
	 * fields, passwd:, the URL, password in the query, the JSON key,
	 * the PEM key, bcrypt, psk */
	assert_int_equal(count, 14);
	free(out);
}

/* Redacting what was redacted changes nothing and counts nothing: a
 * report written with redaction, bundled later. */
static void idempotent(void **state)
{
	unsigned count;
	char *out = redact(console_redacted, &count);

	(void)state;
	assert_string_equal(out, console_redacted);
	assert_int_equal(count, 0);
	free(out);
}

static void names(void **state)
{
	static const char *const secret[] = {
		"wpa_psk", "WPA_PSK", "wifi_password", "rootpasswd", "wpa_passphrase", "api_key",
		"apiKey", "authKey", "mqtt_pass", "X-Auth-Token", "secret", "key", "Key", "psk",
		"wps_pin", "root_pw", "snmp_community", ".key",
		"--password", "Authorization", "Cookie", "client_secret", "credentials",
	};
	static const char *const not_secret[] = {
		"keyboard", "bypass", "passthrough", "key-name-hint", "pwd", "PWD", "ethaddr",
		"serial#", "bootargs", "stop_keys", "monkey", "hotkey", "author", "ipaddr",
		"serverip", "bootcmd", "", "pin", "compass",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof secret / sizeof secret[0]; i++)
		if (!ub_redact_secret_name(secret[i], strlen(secret[i])))
			fail_msg("'%s' should be a secret's name", secret[i]);
	for (i = 0; i < sizeof not_secret / sizeof not_secret[0]; i++)
		if (ub_redact_secret_name(not_secret[i], strlen(not_secret[i])))
			fail_msg("'%s' should not be a secret's name", not_secret[i]);
}

/* More secrets on one line than the line has room for: the rest of the
 * line goes, nothing is shown. */
static void many_on_one_line(void **state)
{
	char in[1000] = "", want[16], *out;
	int i;

	(void)state;
	for (i = 1; i <= 40; i++)
		snprintf(in + strlen(in), sizeof in - strlen(in), "key=v%d ", i);
	out = redact(in, NULL);
	for (i = 1; i <= 40; i++) {
		snprintf(want, sizeof want, "v%d ", i);
		if (strstr(out, want))
			fail_msg("%s is in %s", want, out);
	}
	assert_true(strncmp(out, "key=[redacted] key=[redacted] ", 30) == 0);
	free(out);
}

/* A log's tail that starts inside a private key hides the key's rest;
 * one that starts after a key shows the lines after it. */
static void tail_inside_key(void **state)
{
	static const char tail[] = "Zm9vYmFy\nYmF6\n-----END PRIVATE KEY-----\nboot ok\n";
	static const char after[] = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\nboot ok\n";
	struct ub_redact r = { 0, 0 };
	struct ub_strbuf b = { 0 };
	char *out;

	(void)state;
	ub_redact_tail_start(&r, tail, sizeof tail - 1);
	ub_redact_text(&r, tail, sizeof tail - 1, &b);
	out = ub_sb_take(&b);
	assert_string_equal(out, "[redacted]\n[redacted]\n-----END PRIVATE KEY-----\nboot ok\n");
	assert_int_equal(r.count, 1);
	free(out);
	r = (struct ub_redact){ 0, 0 };
	ub_redact_tail_start(&r, after, sizeof after - 1);
	assert_int_equal(r.in_key, 0);
	/* a key on one line, as in JSON */
	out = redact("{\"pem\": \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQ\\n-----END EC PRIVATE KEY-----\\n\"}", NULL);
	assert_string_equal(out, "{\"pem\": \"-----BEGIN EC PRIVATE KEY-----[redacted]-----END EC PRIVATE KEY-----\\n\"}");
	free(out);
	/* a public key is no secret */
	out = redact("-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----\n", NULL);
	assert_string_equal(out, "-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----\n");
	free(out);
}

/* The journal's rows: strings are redacted as text, members named like a
 * secret lose their value; numbers, nulls and the rest stay. */
static void json(void **state)
{
	json_t *in = json_loads("{\"model\": \"wr-100\", \"notes\": \"setenv wpa_psk x\","
				" \"n\": 5, \"psk\": null, \"steps\": [{\"detail\":"
				" {\"password\": 1234, \"evidence\": \"password=z\", \"ok\": true}}]}", 0, NULL);
	json_t *out;
	unsigned count = 0;
	char *text;

	(void)state;
	assert_non_null(in);
	out = ub_redact_json(in, &count);
	assert_non_null(out);
	text = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(text, "{\"model\":\"wr-100\",\"n\":5,\"notes\":\"setenv wpa_psk [redacted]\","
			    "\"psk\":null,\"steps\":[{\"detail\":{\"evidence\":\"password=[redacted]\","
			    "\"ok\":true,\"password\":\"[redacted]\"}}]}");
	assert_int_equal(count, 3);
	/* the input is left as it was */
	assert_string_equal(json_string_value(json_object_get(in, "notes")), "setenv wpa_psk x");
	free(text);
	json_decref(in);
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(console_log),
		cmocka_unit_test(idempotent),
		cmocka_unit_test(names),
		cmocka_unit_test(many_on_one_line),
		cmocka_unit_test(tail_inside_key),
		cmocka_unit_test(json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
