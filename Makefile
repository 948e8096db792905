# The two commands of the quick start, and the pieces CI uses.
#   make demo    set up, build, and run the demo
#   make check   set up, build, and run every test
BUILD ?= build

.PHONY: all setup build demo check fuzz clean

all: build

setup:
	@scripts/setup

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@scripts/demo $(BUILD)/unbrick

check: build
	@scripts/run-tests $(BUILD)

clean:
	rm -rf $(BUILD)
