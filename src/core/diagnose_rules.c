/* What boot logs say when firmware is broken, and what to do about it.
 * Data, reviewed like code: each rule has a fixture in tests/data/bootlogs
 * that must trigger it.  These belong to no family; a family's own rules
 * live in its folder (struct ub_family.rules).  Patterns are POSIX extended regular expressions
 * matched one line at a time; group 1 is the evidence shown.  Profiles add
 * rules of their own in the same shape ("diagnose" array).  A rule marked
 * note reports something worth knowing that is not a fault. */
#include "diagnose.h"

const struct ub_diag_rule ub_diag_rules[] = {
	/* Faults beyond firmware: a reflash will not help. */
	{ "dram-error", "any",
	  "((DRAM|DDR|SDRAM)[^a-z]*.*(fail|FAIL|error|ERROR)|[Mm]emory test fail|mtest.*FAIL)",
	  0, "hardware",
	  "the memory (DRAM) fails its test or training",
	  "Stop here: memory faults are hardware (a failing RAM chip, bad solder joints, or a weak power supply). Try another power supply once; if it persists, the board needs a repair shop.", 0 },
	{ "flash-not-detected", "any",
	  "(SF: unrecognized JEDEC id[^,]*|SF: Unsupported flash[^,]*|Failed to initialize SPI flash[^,]*|No flash device found|nand: No NAND device found|Flash: 0 Bytes)",
	  0, "hardware",
	  "the bootloader runs but cannot find its flash chip",
	  "Stop: a flash chip that does not answer is a hardware fault (dead chip, cracked joint). A programmer on the chip can confirm it: if it is not detected there either, the chip must be replaced.", 0 },

	{ "kernel-boot-loop", "linux",
	  "(Linux version [0-9][^ ]*)",
	  2, "console",
	  "the kernel starts again and again (a boot loop after the kernel begins)",
	  "Reflash the firmware through the bootloader; if the owner's settings were changed just before, restore them from a backup afterwards rather than keeping them.", 0 },
	{ "kernel-damaged", "linux",
	  "(crc error|LZMA: uncompress or overwrite error|Error: inflate\\(\\) returned -?[0-9]+|uncompression error|Decompressing kernel.*error)",
	  0, "console",
	  "the kernel image does not unpack (damaged in flash)",
	  "Reflash the firmware through the bootloader.", 0 },
	{ "no-rootfs", "linux",
	  "(VFS: Unable to mount root fs.*|No filesystem could mount root.*|Cannot open root device.*|Waiting for root device .*)",
	  0, "console",
	  "the kernel runs but cannot find or mount its root filesystem",
	  "The root filesystem is missing or damaged (or the image is for another board): reflash the whole firmware through the bootloader.", 0 },
	{ "kernel-panic", "linux",
	  "Kernel panic - not syncing: (.*)",
	  0, "console",
	  "the kernel stops with a panic",
	  "Reflash the firmware through the bootloader. A panic that moves around between boots, or mentions machine checks or memory, points at hardware instead.", 0 },
	{ "init-failed", "linux",
	  "(No working init found.*|Failed to execute /?[a-z/]*init.*|Requested init [^ ]+ failed.*)",
	  0, "console",
	  "the kernel starts but the system's first program (init) cannot run",
	  "The root filesystem is damaged or from another build: reflash the whole firmware.", 0 },
	{ "kernel-oops", "linux",
	  "(Unable to handle kernel [a-zA-Z ]+|Internal error: Oops.*|BUG: [a-z].*)",
	  0, NULL,
	  "the kernel hits an internal error (an oops)",
	  "Reflash the firmware once; if errors keep appearing at different places, suspect the memory or the power supply.", 0 },
	{ "flash-ecc", "linux",
	  "(UBI error: .*|UBIFS error .*|[Uu]ncorrectable (ECC )?error.*|ECC failed.*|jffs2: .*CRC failed.*|SQUASHFS error: .*)",
	  0, "console",
	  "the filesystem on flash reports read errors",
	  "Reflash the firmware through the bootloader (only blocks that differ are written). If the same block fails again afterwards, the flash is wearing out: stop and seek repair.", 0 },
	{ "watchdog-reset", "any",
	  "([Ww]atchdog (timer expired|timeout|reset|has expired).*|WDT reset.*)",
	  0, "console",
	  "a watchdog resets the board before the system is up",
	  "The system hangs during start-up; reflash the firmware through the bootloader.", 0 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 },
};
