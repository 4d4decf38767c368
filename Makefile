# actlua — the two commands a user needs are `make run` and `make test`.
# Both install missing Debian packages first (tools/deps.sh), then build
# with CMake into build/ (and build-asan/ for the sanitizer run).

BUILD      ?= build
ASAN_BUILD ?= build-asan
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# make bench: runs per side (medians), which workloads, whether to rewrite
# bench/README.md's table.
RUNS       ?= 3
ONLY       ?= 1,2,3,4,5
WRITE      ?= yes

.PHONY: all deps build run test test-fast test-asan bench install clean

all: build

deps:
	@bash tools/deps.sh

$(BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/actlua scripts/xor.lua

# Every test, in the normal build and under AddressSanitizer + UBSan.
test: test-fast test-asan

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/Makefile: CMakeLists.txt | deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DACTLUA_SANITIZE=ON

test-asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# Every workload in actlua and in PyTorch (bench/README.md); a few minutes.
bench: build
	lua5.4 bench/run.lua runs=$(RUNS) only=$(ONLY) write=$(WRITE) \
	    actlua=$(BUILD)/actlua floor=$(BUILD)/gemm_floor

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
