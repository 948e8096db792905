/* What a U-Boot board's console says when its firmware is broken, as data
 * for diagnosis (each rule has a fixture in tests/data/bootlogs that must
 * trigger it), and how to tell that U-Boot is talking: its banner, its
 * prompt. */
#include "family/uboot/uboot.h"

const struct ub_diag_rule ub_uboot_rules[] = {
	/* The first stage runs, but the bootloader behind it is gone. */
	{ "spl-no-bootloader", "uboot",
	  "(SPL: failed to boot from all boot devices|SPL: Unsupported Boot Device!?|Trying to boot from [A-Z0-9_]+ failed)",
	  0, "programmer",
	  "the first-stage loader (SPL) runs but cannot load the bootloader proper",
	  "The bootloader is damaged and its console cannot help: write it with a programmer on the flash chip (unbrick recover --device spi:flashrom:...), or use the SoC's USB recovery mode if the board has one.", 0 },

	/* The bootloader works; what it loads does not. */
	{ "bad-image-crc", "uboot",
	  "(Bad Data CRC|Bad Header Checksum|[Bb]ad (data|header) [Cc][Rr][Cc]|hash .* mismatch|Bad hash value)",
	  0, "console",
	  "the bootloader finds the firmware image damaged (its checksum does not match)",
	  "Reflash the firmware through the bootloader: unbrick recover IMAGE --device uboot:serial:... --profile P. The bootloader itself is fine.", 0 },
	{ "wrong-image-format", "uboot",
	  "(Wrong [Ii]mage [Ff]ormat.*|Bad Magic Number|Unknown image format|Could not find a valid device tree|No valid device tree binary found)",
	  0, "console",
	  "the bootloader finds no valid firmware image where it looks (erased, overwritten or half written)",
	  "Reflash the firmware through the bootloader; check that the image is the one for this board (unbrick check IMAGE --profile P).", 0 },
	{ "env-default", "uboot",
	  "(Warning - bad CRC, using default environment)",
	  0, NULL,
	  "the bootloader's saved settings (environment) are damaged or erased, so it runs on its defaults",
	  "Harmless on a board that never saved settings; otherwise the boot command may be lost: restore the environment region from a backup (unbrick restore --region ENV).",
	  1 },
	{ "boot-loop", "uboot",
	  "^(U-Boot (SPL )?20[0-9][0-9]\\.[0-9][0-9][^ ]*)",
	  2, "console",
	  "the board restarts again and again after the bootloader (a boot loop)",
	  "The bootloader starts each time, so recover through its console: stop autoboot and reflash the firmware. A loop within seconds of power-on can also be a weak power supply; try another one.", 0 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 },
};

/* The first line U-Boot prints when it starts: a restart during a soak,
 * the beat of a boot loop. */
const char *const ub_uboot_banners[] = {
	"^U-Boot (SPL )?20[0-9][0-9]\\.[0-9][0-9]",
	NULL,
};

/* What shows U-Boot listening, besides its banner. */
const char *const ub_uboot_prompts[] = {
	"^=> ",
	NULL,
};
