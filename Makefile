# The two commands of the quick start, and the pieces CI uses.
#   make demo    set up, build, and run the demo
#   make check   set up, build, and run every test
BUILD ?= build

.PHONY: all setup build peers demo check fuzz clean

all: build

setup:
	@scripts/setup

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@scripts/demo $(BUILD)/unbrick

check: build peers
	@scripts/run-tests $(BUILD)

# Boards the tests build from Debian's source (U-Boot with tftpput, U-Boot
# that runs from RAM, U-Boot with fastboot over UDP); they install a cross
# compiler, so only as root, and not for the demo.  Each is built once and
# cached.
peers:
	@if [ "$$(id -u)" = 0 ]; then scripts/build-uboot-tftpput && scripts/build-uboot-ram && scripts/build-uboot-fastboot; else \
		echo "unbrick: not root: U-Boot with tftpput, U-Boot from RAM and U-Boot with fastboot are not built, so uboot_tftpput, gdb_rescue and the fastboot tests will skip" >&2; fi

clean:
	rm -rf $(BUILD)
