/* The fastboot protocol (AOSP's docs/protocol), host side: commands of up
 * to 64 ASCII bytes, replies of four letters and text, and the download
 * data phase, over any transport that moves whole messages (USB bulk
 * transfers, AOSP's UDP protocol, its TCP framing: fastboot_udp.h,
 * fastboot_tcp.h, fastboot_usb.h).
 *
 *   reply   OKAY[text]  the command succeeded (getvar: text is the value)
 *           FAIL[text]  it failed; text says why (quoted in our errors)
 *           INFO[text]  a line of progress; more replies follow
 *           TEXT[text]  the same without a line end (newer bootloaders)
 *           DATA%08x    ready for that many bytes of download data
 *
 * Nothing here decides policy: a command is sent when asked.  Device text
 * is kept with its control bytes replaced by '?', so it can be quoted. */
#ifndef UB_PROTO_FASTBOOT_H
#define UB_PROTO_FASTBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"

#define UB_FB_COMMAND_MAX 64    /* bytes of a command the protocol allows */
#define UB_FB_REPLY_MAX 256     /* bytes of a reply (64 in older bootloaders) */

/* A transport: one message out (a command, or a piece of download data),
 * one reply in.  Each embeds this struct first. */
struct ub_fb_transport;
struct ub_fb_transport_ops {
	int (*send)(struct ub_fb_transport *t, const uint8_t *buf, size_t n, struct ub_err *e);
	/* One reply of at most max bytes within timeout_ms; returns its
	 * length, or a negative ub_code (UB_ETIMEOUT when none came). */
	long (*recv)(struct ub_fb_transport *t, uint8_t *buf, size_t max, int timeout_ms,
		     struct ub_err *e);
	void (*close)(struct ub_fb_transport *t);
};

struct ub_fb_transport {
	const struct ub_fb_transport_ops *ops;
	const char *name;      /* "udp", "tcp", "usb" */
	size_t chunk;          /* bytes of download data per send */
	char where[128];       /* "udp 127.0.0.1:5554", for messages */
};

enum ub_fb_kind { UB_FB_OKAY, UB_FB_FAIL, UB_FB_INFO, UB_FB_TEXT, UB_FB_DATA };

struct ub_fb_reply {
	enum ub_fb_kind kind;
	char text[UB_FB_REPLY_MAX + 1];   /* after the four letters */
	uint32_t data_len;                /* DATA */
};

/* Parses one reply.  Returns 0, or UB_EFORMAT ("fastboot-protocol") for
 * one shorter than four bytes, an unknown kind, or a DATA whose size is
 * not eight hex digits. */
int ub_fb_reply_parse(const uint8_t *buf, size_t n, struct ub_fb_reply *out,
		      struct ub_err *e);

/* The name a reply kind has on the wire. */
const char *ub_fb_kind_name(enum ub_fb_kind k);

/* A session: the transport and what the device said on the way. */
struct ub_fb {
	struct ub_fb_transport *t;
	/* INFO and TEXT replies, as they come (may be NULL) */
	void (*note)(void *ctx, enum ub_fb_kind kind, const char *text);
	void *note_ctx;
	uint64_t bytes_sent;       /* download data moved, for statistics */
};

/* Sends cmd and reads replies until OKAY, FAIL or DATA, each within
 * timeout_ms (INFO and TEXT go to fb->note and restart the wait).  OKAY
 * and DATA return 0 with *out set (out may be NULL); FAIL returns UB_EFAIL
 * ("fastboot-fail") quoting the device, with out->text holding its words.
 * A command longer than 64 bytes, or holding bytes other than printable
 * ASCII, is refused before anything is sent (UB_EUSAGE). */
int ub_fb_command(struct ub_fb *fb, const char *cmd, int timeout_ms, struct ub_fb_reply *out,
		  struct ub_err *e);

/* getvar:NAME.  0 with the value in out; UB_EFAIL when the device says
 * FAIL (a variable it does not have: e->msg quotes it), other errors as
 * ub_fb_command. */
int ub_fb_getvar(struct ub_fb *fb, const char *name, char *out, size_t len, int timeout_ms,
		 struct ub_err *e);

/* A command of the protocol by its verb, the argument checked before it
 * goes: flash:PART, erase:PART, set_active:SLOT (a, b, _a, _b), reboot,
 * reboot-bootloader, continue, boot (of what was downloaded), oem WORDS,
 * flashing lock|unlock|lock_critical|unlock_critical.  arg is NULL for
 * the verbs without one.  An unknown verb, a missing or extra argument is
 * UB_EUSAGE before anything is sent; the rest as ub_fb_command. */
int ub_fb_do(struct ub_fb *fb, const char *verb, const char *arg, int timeout_ms, struct ub_err *e);

/* Where download data comes from: fills buf with n bytes at off. */
typedef int (*ub_fb_fill)(void *ctx, uint64_t off, uint8_t *buf, size_t n, struct ub_err *e);

/* download:%08x, then size bytes from fill in pieces of the transport's
 * chunk, then the device's OKAY.  size must be 1..0xffffffff; the device
 * must answer DATA with the same size.  p counts bytes sent.  An error on
 * the way says how many bytes had gone. */
int ub_fb_download(struct ub_fb *fb, uint64_t size, ub_fb_fill fill, void *ctx,
		   struct ub_progress *p, int timeout_ms, struct ub_err *e);

void ub_fb_close(struct ub_fb *fb);

#endif
