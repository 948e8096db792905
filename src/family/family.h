/* The family ops table: what every device family can do, in the same
 * shape, so the recovery workflow in core/ never needs to know which family
 * it drives.  A family file reads like the device's recovery manual: how to
 * identify it, enter recovery, read, hash and write a region, reboot and
 * confirm the boot.  Families decide no policy (what may be written, in
 * which order); core/ does. */
#ifndef UB_FAMILY_H
#define UB_FAMILY_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"
#include "family/region.h"
#include "image/imgset.h"
#include "image/src.h"

/* What a family can do; the workflow plans with these. */
enum ub_family_caps {
	UB_CAP_READ = 1u << 0,          /* can read regions (backup, read-back verify) */
	UB_CAP_DIGEST_CRC32 = 1u << 1,  /* device-side crc32 of a range */
	UB_CAP_DIGEST_SHA256 = 1u << 2, /* device-side sha256 of a range */
	UB_CAP_ERASE_BLOCK = 1u << 3,   /* writes per erase block (skip equal ones) */
	UB_CAP_RESUME = 1u << 4,        /* a write can continue where it stopped */
	UB_CAP_BOOT_CHECK = 1u << 5,    /* can watch the boot after reset */
	/* The write reads back every block it wrote, and the blocks it left
	 * alone were compared with contents read twice: a whole-region verify
	 * after it re-reads what is already known. */
	UB_CAP_VERIFIED_WRITE = 1u << 6,
	UB_CAP_DIGEST_MD5 = 1u << 7,    /* device-side md5 of a range (ROM loaders) */
	/* The device takes Android sparse images as they are (fastboot): a
	 * sparse image is what gets written, not a container to unpack, and
	 * its size is what it expands to. */
	UB_CAP_SPARSE_IMAGE = 1u << 8,
};
#define UB_CAP_DIGESTS (UB_CAP_DIGEST_CRC32 | UB_CAP_DIGEST_SHA256 | UB_CAP_DIGEST_MD5)

/* A parameter the spec may carry (FAMILY:TRANSPORT:ADDRESS,NAME=VALUE):
 * the CLI validates specs against these, suggests the near name for a
 * typo, documents them, and offers those with an option on the command
 * line too.  Families read values only after that check. */
struct ub_param_def {
	const char *name;     /* "baud" */
	/* "int" (min..max), "on|off", "ipv4", "path", "text", or the
	 * choices themselves: "tftp|ymodem" */
	const char *type;
	long min, max;        /* for "int" */
	const char *def;      /* the default, in words; NULL: none */
	const char *help;     /* one line */
	const char *option;   /* the command-line option that sets it too ("via"
			       * for --via), or NULL */
	/* The commands whose option it is (0: every one that reaches the
	 * device): those that write data to the device, those that read its
	 * flash back.  The spec's parameter is taken everywhere. */
	unsigned uses;
};
#define UB_PARAM_USE_WRITE 1u
#define UB_PARAM_USE_READ 2u

/* A way to reach the device: the spec's TRANSPORT and the shape of its
 * ADDRESS. */
struct ub_transport_def {
	const char *name;     /* "serial" */
	const char *address;  /* "/dev/ttyUSB0"; one that starts with HOST
			       * ("HOST:PORT") names a network host, which
			       * the device's lock key resolves */
	const char *help;     /* one line */
};

/* A rule a family contributes to diagnosis: what its devices print when
 * their firmware is broken.  Data, in the family's folder. */
struct ub_diag_rule {
	const char *id;        /* stable: "kernel-panic", "bad-image-crc" */
	const char *family;    /* the family's name, "linux" or "any" */
	const char *pattern;   /* POSIX extended regex, one line at a time;
				  group 1, when present, is the evidence */
	unsigned min_count;    /* matches needed (2 for a boot loop); 0 = 1 */
	const char *path;      /* "console", "programmer", "hardware", or NULL
				* (unknown): see ub_family.paths */
	const char *finding;   /* one sentence: what it means */
	const char *advice;    /* what to do */
	int note;              /* worth saying, not a fault: a soak passes it */
};

/* Something loaded and started before the device can take the image: a
 * flasher stub, a bootloader run from RAM, an SPL.  The profile names it
 * ("loader": file, load address, entry, sha256); the workflow checks the
 * file against its sha256 and runs the stage as a journal step of its
 * own.  src is that checked file, opened once. */
struct ub_loader {
	const struct ub_src *src;
	uint64_t load_addr, entry;
	const char *arch;      /* as the profile says; the family checks it */
	const char *wait_for;  /* what the started loader prints, or NULL */
	int timeout_s;         /* to see it */
};

/* The blocks of a write: the workflow compares the image with the device
 * block by block (one implementation for every family, core/blocks.c) and
 * the family writes the ones marked, nothing else. */
struct ub_blockset {
	uint64_t block;        /* bytes per block: the region's erase block */
	uint64_t count;        /* blocks the image covers; the last may be short */
	const uint8_t *write;  /* write[i] != 0: block i must be written */
	const uint32_t *crc;   /* crc32 of block i of the image (its own bytes,
				* no padding): what a block reads back as */
};

/* digest_blocks' flags. */
enum ub_digest_flags {
	/* The answer must come from the device now (a verify).  Without it a
	 * family may answer from contents it read twice this session and
	 * has not changed since (deciding what to skip). */
	UB_DIGEST_FRESH = 1u << 0,
};

/* A device found by a family's list: what `unbrick devices` prints.  With
 * spec empty it is a note instead: what could not be looked for, and why
 * (in what). */
struct ub_found {
	char spec[256];        /* what --device takes: "uboot:serial:/dev/ttyUSB0" */
	char what[160];        /* "USB serial (FTDI FT232R, serial A50285BI)" */
	char state[48];        /* "free", "in use", "bootloader", ... */
};

struct ub_identity {
	char model[64];
	char revision[32];
	char serial[64];
	char region[16];
	char firmware_version[64];
	char bootloader[96];   /* e.g. "U-Boot 2023.01" */
	char mode[32];         /* "bootloader", "recovery", "running", ... */
	char hardware[112];    /* what the family sees itself: a flash chip, ... */
};

struct ub_boot_report {
	int booted;              /* the success pattern was seen */
	char version[64];        /* the version the booted system reports */
	double seconds;          /* from reset to success */
	char *log;               /* what the console printed since the reset (its
				    tail when long); the caller frees it */
	size_t log_len;
};

struct ub_device;   /* a family's private state for one device */

/* What the last write did, for the journal and the user. */
struct ub_write_stats {
	unsigned blocks_total, blocks_written, blocks_skipped, retries;
	uint64_t bytes_sent;   /* bytes moved to the device */
	char via[16];          /* how they travelled: "tftp", "ymodem", "flashrom" */
};

/* How the reads so far came, for the journal and the user. */
struct ub_read_stats {
	char via[32];          /* "console", "netconsole", "netconsole+console" (it was
				* given up on the way), "tftpput", "tftpput+console", ...;
				* "" when nothing was read */
	uint64_t bytes;        /* bytes read */
	uint64_t asked_again;  /* bytes lost on the way and asked for again */
};

/* The device spec: FAMILY:TRANSPORT:ADDRESS[,key=value...] split once. */
struct ub_device_spec {
	char family[32];
	char transport[32];
	char address[1024];
	char params[1024];     /* "key=value,..." or empty */
};

/* Parses "uboot:unix:/run/board.sock,baud=115200" and friends.  Errors name
 * the part that is wrong and show the expected shape. */
int ub_device_spec_parse(const char *text, struct ub_device_spec *out,
			 struct ub_err *e);

/* The value of key=value in the spec's parameters, copied into out;
 * returns 1 when present, 0 when not. */
int ub_device_spec_param(const struct ub_device_spec *spec, const char *key,
			 char *out, size_t len);

struct ub_family;
/* Checks the spec against its family: a transport it has, parameters it
 * declares (or passes through), each value of its type.  Errors name the
 * parameter, suggest the near name for a typo and list what the family
 * takes (UB_EUSAGE). */
int ub_device_spec_check(const struct ub_device_spec *spec, const struct ub_family *fam,
			 struct ub_err *e);

/* The canonical address of the device the spec reaches, for the lock
 * that keeps two runs off one device: the family, the transport and the
 * address with paths resolved (the parameters that name the device, such
 * as a programmer's image=, included). */
void ub_device_spec_key(const struct ub_device_spec *spec, char *out, size_t len);

struct ub_family {
	const char *name;   /* the spec's FAMILY: "uboot", "spi", ... */
	const char *what;   /* one line for --help */
	const char *reach;  /* what happens while identify waits, for the user */
	unsigned caps;
	/* Optional: the caps of the device this spec reaches, when its
	 * parameters change them (a device without a digest command, one
	 * that cannot be read); NULL: caps.  Known without opening the
	 * device, so a plan sees them too.  The workflow asks the session
	 * (ub_session.caps), never caps directly. */
	unsigned (*spec_caps)(const struct ub_device_spec *spec);
	/* What the spec may say, as data (NULL-terminated lists): the CLI
	 * checks specs against them and documents them.  A family whose
	 * leftover parameters go to a library of its own (flashrom's
	 * programmer parameters) names them in passthrough; with NULL an
	 * unknown parameter is an error. */
	const struct ub_transport_def *transports;
	const struct ub_param_def *params;
	const char *passthrough;
	/* The recovery paths this family offers ("console", "programmer"),
	 * NULL-terminated: a case whose diagnosis points elsewhere is not
	 * recovered through it. */
	const char *const *paths;
	/* What its devices' boot logs say (rules ending with id NULL), and
	 * the first line of its bootloader starting (extended regexes,
	 * NULL-terminated): a restart during a soak, a boot loop. */
	const struct ub_diag_rule *rules;
	const char *const *banners;
	/* and what shows its bootloader listening (its prompt) */
	const char *const *prompts;
	/* Typical bytes per second a backup and a write proceed at, for plans
	 * and estimates (a profile's recovery.read_bps/write_bps win). */
	double read_bps, write_bps;
	/* Optional: lowers *read_bps and *write_bps to what this link can
	 * carry (a serial line's baud rate), and says which link in why
	 * (empty when it left them alone). */
	void (*link_rates)(const struct ub_device_spec *spec, const json_t *profile,
			   double *read_bps, double *write_bps, char *why, size_t len);
	/* Optional: whether len bytes at off inside r can be written at all
	 * (alignment, sector sizes), decided without the device, so that a
	 * mistake is said before any backup. */
	int (*check_write)(const struct ub_region *r, uint64_t off, uint64_t len,
			   struct ub_err *e);
	/* Optional: what the device prints for seconds, listened to without
	 * taking it over (no prompt hunted, nothing sent): a boot log for
	 * diagnosis.  *log is the caller's to free. */
	int (*capture)(const struct ub_device_spec *spec, int seconds, char **log, size_t *len,
		       struct ub_err *e);
	/* Optional: the devices of this family reachable now. */
	int (*list)(void (*found)(void *ctx, const struct ub_found *f), void *ctx,
		    struct ub_err *e);

	/* profile is the whole device profile document (sections "recovery",
	 * "boot", "identity" belong to the family); it and map outlive dev. */
	int (*open)(struct ub_device **dev, const struct ub_device_spec *spec,
		    const struct ub_flash_map *map, const json_t *profile,
		    struct ub_err *e);
	int (*identify)(struct ub_device *dev, struct ub_identity *out,
			struct ub_err *e);
	int (*enter_recovery)(struct ub_device *dev, struct ub_err *e);
	/* Optional: load and start the loader stage (see struct ub_loader);
	 * returns when it answers.  A loader that does not start leaves the
	 * device as it was and says what the device showed. */
	int (*load_stage)(struct ub_device *dev, const struct ub_loader *l,
			  struct ub_progress *p, struct ub_err *e);
	/* Reads len bytes at off inside the region into sink, in pieces. */
	int (*read)(struct ub_device *dev, const struct ub_region *r,
		    uint64_t off, uint64_t len,
		    int (*sink)(void *ctx, const uint8_t *buf, size_t n),
		    void *ctx, struct ub_progress *p, struct ub_err *e);
	/* Device-side digest of a range, from the device now; alg is one
	 * UB_CAP_DIGEST_* bit the family has; out holds 4 (crc32, big-endian),
	 * 16 (md5) or 32 (sha256) bytes. */
	int (*digest)(struct ub_device *dev, const struct ub_region *r,
		      uint64_t off, uint64_t len, unsigned alg, uint8_t *out,
		      struct ub_err *e);
	/* Optional: the device-side crc32 of n consecutive blocks of len
	 * bytes from off, out[i] for block i, in as few exchanges as the
	 * device allows (a region compared block by block otherwise costs a
	 * round trip per block).  expect, when not NULL, is what the caller
	 * believes each block holds: the device may confirm a run of blocks
	 * with one digest of the run (then out[i] = expect[i]) and look block
	 * by block only where that disagrees.  flags: enum ub_digest_flags. */
	int (*digest_blocks)(struct ub_device *dev, const struct ub_region *r,
			     uint64_t off, uint64_t len, unsigned n, const uint32_t *expect,
			     uint32_t *out, unsigned flags, struct ub_err *e);
	/* Writes the blocks of src that todo marks, at off inside the region
	 * (src's block i goes to off + i * todo->block), erasing as the
	 * storage needs; the others are left alone.  Each block written is
	 * read back or digested on the device; one that does not match is
	 * an error ("verify-failed"). */
	int (*write)(struct ub_device *dev, const struct ub_region *r,
		     uint64_t off, const struct ub_src *src, const struct ub_blockset *todo,
		     struct ub_progress *p, struct ub_err *e);
	/* Optional: src holds region r's contents from a verified backup made
	 * earlier; a family that writes by comparing may take it as the
	 * device's current contents instead of reading it again. */
	int (*set_reference)(struct ub_device *dev, const struct ub_region *r,
			     const struct ub_src *src, struct ub_err *e);
	/* reboot and boot_check may be NULL (no UB_CAP_BOOT_CHECK). */
	int (*reboot)(struct ub_device *dev, struct ub_err *e);
	int (*boot_check)(struct ub_device *dev, const char *expect_version,
			  struct ub_boot_report *out, struct ub_err *e);
	/* Optional: the link's health before anything is written: round
	 * trips of a harmless command, its echo intact.  *rtt_ms gets the
	 * slowest round trip; a garbled or missing echo is an error. */
	int (*link_check)(struct ub_device *dev, double *rtt_ms, struct ub_err *e);
	/* Optional: src read as an image set of this family's devices
	 * (image/imgset.h: several images, each for the region its part
	 * names, written in order, some followed by a restart, and what the
	 * device's variables must be), unpacked into tmpdir (NULL: $TMPDIR).
	 * 0 with set filled; 1 when src is a single image.  Decided without
	 * the device.  The workflow checks and writes each image as it would
	 * one alone. */
	int (*image_set)(const struct ub_src *src, const char *tmpdir, struct ub_imgset *set,
			 struct ub_err *e);
	/* Optional: a variable the device reports (what a set requires of
	 * it): 0 with its value in out; 1 when the device does not report it
	 * (out may say what it answered instead); < 0 on error. */
	int (*variable)(struct ub_device *dev, const char *name, char *out, size_t len,
			struct ub_err *e);
	/* Optional: restarts the device into the mode it is written in and
	 * waits until it answers again, so that what was just written runs
	 * (a set's new bootloader before the next images). */
	int (*restart)(struct ub_device *dev, struct ub_err *e);
	/* Optional: whether the device's bootloader is locked (1), unlocked
	 * (0) or does not say (2), < 0 on error; and unlocking it, which makes the device
	 * erase the owner's data: the workflow asks first, in so many words,
	 * and journals it.  unlock returns once the device says it is done. */
	int (*bootloader_locked)(struct ub_device *dev, struct ub_err *e);
	int (*unlock_bootloader)(struct ub_device *dev, struct ub_err *e);
	/* Optional: what the device prints for the next seconds (after a
	 * boot, for a soak test); *log is the caller's to free. */
	int (*watch)(struct ub_device *dev, int seconds, char **log, size_t *len,
		     struct ub_err *e);
	/* Console output goes to this descriptor too (the case's log); -1: none. */
	void (*set_log)(struct ub_device *dev, int fd);
	void (*write_stats)(const struct ub_device *dev, struct ub_write_stats *out);
	/* Optional: how the reads since open came. */
	void (*read_stats)(const struct ub_device *dev, struct ub_read_stats *out);
	void (*close)(struct ub_device *dev);
};

/* The family registered under name, or NULL. */
const struct ub_family *ub_family_find(const char *name);

/* All families, NULL-terminated, for --help. */
extern const struct ub_family *const ub_families[];

#endif
