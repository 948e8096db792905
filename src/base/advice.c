/* The advice table: what a technician should do next, keyed by a stable id.
 * This is data, reviewed like code.  Ids are lowercase words joined by '-';
 * the ids equal to ub_code_name() values are the defaults for each code.
 * Keep each sentence short, concrete and about the next physical or
 * practical step. */
#include "err.h"

#include <string.h>

struct advice {
	const char *id;
	const char *text;
};

static const struct advice table[] = {
	/* defaults per error code */
	{ "failed", "Read the message above; run again with --json for details, and keep the case folder for support." },
	{ "usage", "Run the command with --help to see its options." },
	{ "refused", "Do not flash this image; find the right image for this exact device." },
	{ "no-device", "Check the cable and port, power the device, and try again." },
	{ "io", "Check the path, its permissions and the free disk space." },
	{ "no-memory", "Close other programs or use a machine with more memory." },
	{ "format", "The file is damaged or not a firmware image; re-download it from the vendor." },
	{ "timeout", "Try another cable or port and give the device steady power." },
	{ "interrupted", "Nothing was left half written; continue with the --resume command printed above when you are ready." },
	{ "interrupted-killed", "The device may hold a half-written block: run the same command again with --resume CASE (unbrick cases lists them); only blocks that differ are written." },
	{ "device-busy", "Another unbrick run holds this device (its case and process are named above); wait for it to finish, or stop it first." },
	{ "case-busy", "Another unbrick run is working on this case; wait for it to finish, or stop it first." },

	/* fastboot */
	{ "fastboot-fail", "The device refused the command (its words are above); check the partition name, that the bootloader is unlocked, and that the image is for this device." },
	{ "fastboot-protocol", "The device answered something fastboot does not allow; put it back in its bootloader's fastboot mode (or restart it) and try again." },
	{ "fastboot-gone", "The device stopped answering: check the cable or network and its power, put it back in fastboot mode, then run the same command with --resume CASE." },
	{ "fastboot-absent", "No fastboot device answered: put the device in its bootloader's fastboot mode (often Volume Down while powering on) and check the address, port or cable." },
	{ "fastboot-no-read", "fastboot cannot read partitions: make the backup through another path the board has (its U-Boot console, a card reader) and give it with --backup DIR, or write without one: --no-backup (recorded in the journal)." },
	{ "fastboot-locked", "The bootloader is locked. Unlocking it (fastboot flashing unlock) erases the owner's data; do it only with the owner's consent, then run unbrick again." },
	{ "fastboot-partition", "The device's partitions are not what the profile says: check that the profile is for this exact model, or write the profile from what getvar partition-size answers." },
	{ "fastboot-slot", "Name the slot to write (--slot a or b): the device does not say which slot it boots now." },
	{ "fastboot-no-usb", "This machine has no USB bus unbrick can use; connect the device to a computer with USB, or reach it over the network (fastboot:udp or fastboot:tcp)." },
	{ "fastboot-restart", "The device did not restart into its bootloader when asked: restart it into fastboot mode by hand (often Volume Down while powering on), then run the same command with --resume CASE." },
	{ "fastboot-usb-access", "Another program holds the device, or this user may not open it: close other fastboot tools, and add a udev rule for the device (or run as root)." },

	/* images */
	{ "checksum-mismatch", "Re-download the image from the vendor and compare the checksum again; never flash an image whose checksum does not match." },
	{ "checksum-missing", "The checksum list has no line for this file; make sure the list belongs to this download." },
	{ "checksum-format", "The checksum is not valid hex of the right length; copy it again from the vendor's page." },
	{ "image-corrupt", "The image is damaged (bad CRC or hash inside it); re-download it from the vendor." },
	{ "image-truncated", "The image is shorter than its header says; the download was probably cut off. Re-download it." },
	{ "image-empty", "The file is empty; the download failed. Re-download it." },
	{ "image-unverified", "Nothing vouches for every byte of this image: give the vendor's checksum (--sha256, --sums) or signature (--sig with --key), or keep the vendor's manifest next to it. To flash it all the same, flash and recover take --allow-unverified, and the journal records it." },
	{ "image-huge", "A size in the image header is impossible; the file is damaged or not what it claims to be." },
	{ "archive-unsafe", "The archive is built in a way no vendor ships (entries escaping its folder, links, devices, duplicates or absurd sizes); do not use it, and get the image from the vendor again." },
	{ "archive-corrupt", "The archive is damaged; re-download it." },
	{ "archive-no-firmware", "The archive holds only notes or checksums, no firmware; make sure you downloaded the firmware itself, or pass the firmware file directly." },
	{ "compressed-corrupt", "The compressed stream is damaged or cut short; re-download it." },
	{ "signature-bad", "The signature does not match: the image was altered or signed with another key. Do not flash it; get the image and signature from the vendor again." },
	{ "signature-key", "The key could not be read; pass the vendor's public key file with --key." },
	{ "signature-format", "The signature file could not be read; make sure it is the signature that belongs to this image." },
	{ "signature-too-big", "This signature covers the whole image in one piece and the image is too large for that; ask the vendor for a prehashed minisign signature or an openssl dgst signature." },
	{ "signature-keyid", "The signature was made with a different key than the one given; use the vendor key named in the signature." },
	{ "model-mismatch", "This image is built for another model; flashing it can brick the device for good. Find the image for your exact model." },
	{ "revision-mismatch", "This image is built for another hardware revision; check the label on the device and get the matching image." },
	{ "region-mismatch", "This image is for another region; use the image for your region, or the radio may be locked or illegal to use." },
	{ "model-unknown", "The image does not say which device it is for; compare it with the vendor's download page for your exact model before flashing." },
	{ "target-unknown", "Read the model, revision and region from the label on the device and pass them (--model, --revision, --region), or choose its --profile." },
	{ "downgrade", "The image is older than the installed firmware; pass --allow-older only if you mean to downgrade." },
	{ "version-unknown", "The version could not be compared; pass --allow-older if you are sure this is the right image." },
	{ "profile-missing", "No such profile; 'unbrick profiles' lists the profiles found and where, or pass the path of a profile file." },
	{ "profile-invalid", "The profile file is not valid; fix the field named in the message, then check it with 'unbrick profile check FILE' (the format: man unbrick-profile)." },
	{ "manifest-invalid", "The sidecar manifest is not valid JSON of the expected shape; get it again with the image." },

	/* consoles and links */
	{ "console-connect", "Nothing answers at that address; check that the serial server or board emulator is running and the path or port is right." },
	{ "console-rfc2217", "The console server did not set its serial port as asked. Turn on RFC 2217 for that port (ser2net: accepter telnet(rfc2217),tcp,PORT), or set the port and its lines on the server itself and leave them out of the device spec." },
	{ "console-lost", "The console link dropped; check the cable and the adapter, and that nothing else opened the port." },
	{ "serial-missing", "No such serial port; plug the USB-serial adapter in and list ports with 'ls /dev/ttyUSB* /dev/ttyACM*'." },
	{ "serial-busy", "The serial port could not be opened; close other terminal programs (screen, minicom) and check you are in the 'dialout' group." },

	/* debug probes (the gdb family) */
	{ "probe-connect", "Nothing answers at that address: check that the probe's GDB server (OpenOCD, J-Link GDB server, pyOCD, QEMU -gdb) runs and listens on that port, or name the Black Magic Probe's first serial port." },
	{ "probe-lost", "The debug probe's connection dropped: check the probe's USB cable, that its GDB server still runs and that no other debugger took the target; the error says where it stopped (nothing is written to flash through the probe)." },
	{ "probe-silent", "The debug probe stopped answering: check that no other debugger is connected to it (most GDB servers serve one at a time), that the board is powered and the JTAG/SWD cable seated; restart the probe's GDB server and run the command again." },
	{ "probe-garbled", "What the debug probe sent makes no sense as the GDB protocol: check that the address is a GDB server (not a telnet or console port), and try a shorter or shielded USB cable." },
	{ "probe-error", "The debug probe refused a memory or register access: check the profile's addresses (load_addr, entry, the flash regions) against the board's memory map." },
	{ "probe-no-halt", "The CPU did not halt for the debug probe: reset the board while the probe holds it (reset=reset halt in the device spec for OpenOCD and pyOCD), and check the JTAG/SWD wiring." },
	{ "probe-no-monitor", "This GDB server has no monitor commands: leave reset= out of the device spec and reset the board by hand before the loader goes in." },
	{ "probe-no-tdesc", "The probe must say which CPU it holds (a target description) before a loader is started: use a GDB server that gives one (OpenOCD, pyOCD, J-Link and QEMU do)." },
	{ "loader-arch", "The profile's loader is built for another CPU: use the loader built for this board, or the right profile." },
	{ "loader-corrupt", "The loader did not stay in memory as written: check the profile's loader.load_addr is RAM on this board (the memory map or the datasheet), and that the RAM is set up (some boards need their ROM to run first: reset=reset init)." },
	{ "loader-silent", "The loader did not start: check it is built to run from the profile's load_addr for this board, the console wiring and baud rate, and the CPU state in the message (an exception address means a wrong entry or an unset-up RAM). The CPU is left halted and the flash untouched." },
	{ "loader-missing", "Name the loader in the profile (\"loader\": file, sha256, load_addr, arch) and the board's console in the device spec (console=TRANSPORT:ADDRESS)." },

	{ "console-silent", "The board stopped answering; check the power and the serial cable, then run the command again (the case can be resumed)." },
	{ "console-no-prompt", "No U-Boot prompt: check the console wiring (TX/RX crossed, GND connected) and the baud rate, then power-cycle the board while unbrick waits." },
	{ "storage-missing", "The board's U-Boot does not see the disk or card the region is on: plug it in (or seat it), check the region's \"dev\" number in the profile, and run the command again." },
	{ "sf-missing", "The board's U-Boot found no SPI flash at the region's chip select: check the region's \"dev\" (the chip select on the board's default SPI bus) and that the chip is fitted; on some boards a jumper or boot switch cuts it off." },
	{ "sf-unsupported", "This U-Boot was built without the sf command, so the SPI flash cannot be reached through it: read and write the chip with a programmer clip instead (--device spi:flashrom:PROGRAMMER)." },
	{ "write-refused", "The board's storage refused the write (U-Boot's words are above): an SD card's lock switch, a write-protected or worn-out card, disk or flash chip. Check the switch or replace the medium, then run the command again: blocks already right are skipped." },
	{ "board-command", "The board refused a command; the message above is U-Boot's own. Check the profile's addresses for this board." },

	{ "console-garbled", "The console garbles data; use a shorter cable, a lower baud rate, or another USB-serial adapter." },
	{ "verify-failed", "What was written did not read back the same; the flash may be worn or write-protected. Do not power off; run the command again, and if the same block fails, stop and seek repair of the flash chip." },
	{ "transfer-corrupt", "The image was damaged on the way to the board; check the network cable (or serial link) and try again." },
	{ "image-too-big", "The image does not fit the region; make sure it is the image for this region and board." },
	{ "boot-failed", "The board did not finish booting; the console log in the case folder shows where it stopped. Run 'unbrick diagnose' on it, or try the recovery once more." },
	{ "boot-wrong-version", "The board booted another firmware than the one written; check the boot order and that the right region was written." },

	{ "diagnosis-path", "Recover the device the way its diagnosis says (its bootloader's console, or a programmer on the chip), or pass --force-attempt to try this way anyway (recorded)." },
	{ "image-changed", "Something changed the case's private copy of the image while it was read: stop other programs writing there and run again." },
	{ "backup-damaged", "The backup does not match its manifest; do not restore from it. Make a new backup from the device if it still answers." },
	{ "backup-incomplete", "The backup lacks regions of this profile, or a region's file is not its size: it cannot stand for this device. Make a new backup with unbrick backup." },
	{ "backup-impossible", "This device cannot be read: make the backup through another way in (a console, a programmer), give it with --backup DIR, or write without one (--no-backup, recorded)." },
	{ "backup-exists", "Give a new, empty folder for the backup, or --force to replace the one there." },
	{ "backup-other-unit", "This backup is not this unit's as it is now: restore only from a backup of this very device (its case's backup/ folder), or make one now." },

	{ "transfer-cancelled", "The device cancelled the transfer; check that it has room at the load address, then try again." },
	{ "transfer-stalled", "The transfer stalled; check the cable, use a lower baud rate, or send over the network (--via tftp)." },

	{ "region-protected", "This region holds the bootloader or calibration data; overwriting it can brick the device for good. Pass --unlock REGION only with the right image for it." },
	{ "image-container", "Unpack the download and give the firmware file inside it; 'unbrick check' shows what the archive holds." },
	{ "not-confirmed", "Nothing was written. Run the command again and type the confirmation, or pass --yes in scripts." },

	/* image sets (update zips, factory archives) */
	{ "imgset-invalid", "The image set is not laid out as a vendor ships it (named above); get the update zip or factory archive from the vendor again, or flash its images one by one with --region." },
	{ "imgset-unsupported", "unbrick cannot write this kind of set; use the vendor's own tool for it." },
	{ "imgset-region", "The set writes a partition the profile does not name: check that the profile is for this device, or add the partition to it as a region." },
	{ "requirement-unmet", "The set is for another device or another bootloader (the line is named above); find the set for this exact device. Nothing was written." },
	{ "requirement-unreported", "The device does not say what the set needs to know of it; check that it is in its bootloader's mode (not the system's), then try again. Nothing was written." },
	{ "requirement-after", "The image just written did not bring about what the set requires of it (its version); the device keeps it. Check the set is for this device before anything more; continue with --resume CASE." },
	{ "unlock-not-confirmed", "Unlocking the bootloader erases the owner's data: run the command again on a terminal and type the words asked for, or pass --erase-user-data in scripts with the owner's consent. Nothing was erased." },
	{ "unlock-failed", "The device did not unlock (its words are above): some phones need OEM unlocking allowed in the system's developer options first, or a confirmation on their screen." },

	/* TFTP */
	{ "udp-bind", "unbrick could not listen on that address: it must be an address of this machine on the board's network (--server-ip), and no other program (a netconsole listener, nc -u -l) may hold the port." },
	{ "netconsole-lossy", "The board's output kept getting lost between it and this machine. Check the cable and the switch on the way, or connect the board straight to this machine, and run the command again (a repair can be resumed)." },
	{ "netconsole", "Reading through the netconsole did not work; check the network cable and the addresses (the board needs its ethaddr), or read over the console with read_via=console in the device spec." },
	{ "tftp-bind", "unbrick could not listen for TFTP on that address: it must be an address of this machine on the board's network, UDP port 69 needs root (or CAP_NET_BIND_SERVICE), and no other TFTP server may hold the port." },
	{ "tftp-no-request", "The board never asked for the file: check the network cable and link lights, that the board's serverip is this machine's address on the board's network and its ipaddr is free on that network, and that no firewall here blocks UDP port 69." },
	{ "tftp-timeout", "The board stopped asking for blocks: check the network cable and the board's ipaddr/serverip, and that no firewall blocks UDP (the transfer runs on a port of its own, not 69); tftp_window=1 or a smaller tftp_blksize= in the device spec helps on lossy links." },
	{ "tftp-unconfirmed", "Every block was sent but the board never confirmed the last ones: it may have the whole image and only its final acknowledgement was lost. The board's console ('Bytes transferred') and its crc32 of the load address tell; otherwise run the command again." },
	{ "tftpput", "read_via=tftpput was asked for and the board cannot upload: it needs a U-Boot built with tftpput, the board's network (its ethaddr, a cable), and this machine listening on UDP port 69 of server_ip (as root, with no other TFTP server on it). Without read_via, unbrick reads through the netconsole or the console instead." },
	{ "tftp-put-timeout", "The board stopped sending its backup (tftpput) part way: check the network cable and that no firewall here drops UDP from the board (the transfer runs on a port of its own, not 69); read_via=console in the device spec reads over the console instead, slowly but without the network." },
	{ "tftp-size", "The board's upload was not the size of the region read: its tftpput sent another range than asked. Nothing was kept from it; run the backup again, and if it repeats, read_via=console in the device spec reads over the console instead." },
	{ "tftp-send", "Sending to the board failed: check that this machine has an address on the board's network (ip addr) with the link up, and that no firewall drops outgoing UDP." },
	{ "tftp-refused", "The board refused the transfer; the message is its own. Check the load address and the free RAM on the board." },

	/* SPI chips on a programmer */
	{ "spi-programmer-unknown", "Spell the programmer as libflashrom names it (the message lists the names; flashrom(8) describes each); 'unbrick devices' shows the ones attached here." },
	{ "spi-programmer", "The programmer did not start: check it is plugged in (lsusb), that you may use it (udev rules or root), and the programmer name and parameters (see 'flashrom --help')." },
	{ "spi-no-chip", "No chip answered: power the board off, reseat the clip (pin 1 to the chip's dot), check the chip's voltage (3.3 V or 1.8 V with an adapter), and keep the wires short." },
	{ "spi-chip-named", "The chip named with chip= did not answer: check the name against the chip's marking, or leave chip= out to let flashrom find it." },
	{ "spi-chip-ambiguous", "Read the marking on the chip and add chip=NAME (one of the names listed) to the device spec." },
	{ "spi-chip-size", "The chip is not the size this profile expects: check the chip's marking and that the profile is for this board." },
	{ "spi-layout-mismatch", "The chip's own flash map disagrees with the profile: the profile was made for another firmware build. Use a profile made from this chip's FMAP." },
	{ "spi-read-unstable", "Reads of the chip do not agree: reseat the clip, shorten the wires, keep the board's own power off, and try a slower programmer speed (spispeed=)." },
	{ "spi-write-protected", "The chip's write protection is on: a WP pin held low or the status register's protect bits. Disable it (flashrom --wp-disable, or tie WP high) and try again." },
	{ "spi-io", "The programmer stopped answering: check the USB cable and the clip, then run the command again (the backup is kept)." },

	/* any family */
	{ "read-unstable", "Reads of the device do not agree with each other or with its own checksums: check the cable, the adapter and the power, then run the command again (nothing was written)." },
	{ "loader-needed", "This device takes writes only once its loader stage runs: give the loader the profile names (its file and sha256) and run the command again; nothing was written." },

	{ "diagnosis-hardware", "Do not flash: the boot log shows a hardware fault (memory, flash chip). Take the device to a repair shop with the case's bundle (unbrick bundle CASE); --force-attempt overrides if you know better." },
	{ "diagnosis-programmer", "Recover the chip with a programmer clip instead: unbrick recover IMAGE --device spi:flashrom:PROGRAMMER --profile P (board power off)." },
	{ "soak-failed", "The new firmware booted but did not stay up; the soak log in the case shows what happened. Check the power supply, then run 'unbrick diagnose --console-log' on the log." },
	{ "attempts-exhausted", "Stop trying: take the device and the support bundle named above to a repair shop. Only if you changed something that matters (power supply, cable, clip) pass --force-attempt." },

	/* workspace and journal */
	{ "journal-open", "The repair journal could not be opened; check UNBRICK_HOME and its permissions, and the free disk space." },
	{ "journal-newer", "The journal was written by a newer unbrick; upgrade unbrick before using this journal." },
	{ "case-has-backup", "The case holds a backup of the owner's data: keep a copy ('unbrick bundle ID --with-backups'), then pass --with-backups to remove it too." },
	{ "not-confirmed", "Nothing was deleted. Run it again on a terminal and type the words asked for, or pass --yes." },
	{ "case-folder-outside", "The journal names a folder outside $UNBRICK_HOME/cases for this case; check it by hand, nothing was removed." },
	{ "case-missing", "No such case; run 'unbrick cases' to list the case ids." },
	{ "disk-full", "Free some disk space; nothing was deleted, and the case can be resumed." },
};

const char *ub_advice(const char *advice_id)
{
	size_t i;

	if (!advice_id)
		return NULL;
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].id, advice_id) == 0)
			return table[i].text;
	return NULL;
}
