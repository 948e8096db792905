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

# A board the tests build from Debian's source (U-Boot with tftpput); it
# installs a cross compiler, so only as root, and not for the demo.
peers:
	@if [ "$$(id -u)" = 0 ]; then scripts/build-uboot-tftpput; else \
		echo "unbrick: not root: U-Boot with tftpput is not built, so uboot_tftpput will skip" >&2; fi

clean:
	rm -rf $(BUILD)
