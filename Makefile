# k1fw — build, check, assemble and flash SpacemiT K1 boot firmware.
#   make          build build/k1fw
#   make check    install deps, build (plain and ASan+UBSan), run every test
#   make demo     install deps, build, run the main job on built-in samples
#   make fuzz     build the libFuzzer targets and run each (FUZZ_SECONDS=60)
#   make bench    build and run the benchmarks

BUILD ?= build
SAN ?= 0
CC ?= cc
CFLAGS ?= -O2 -g
K1_CFLAGS = -DK1FW_VERSION=\"0.1.0\" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib -MMD -MP
ANDROID_LIBDIR ?= /usr/lib/$(shell $(CC) -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/android
USB_CFLAGS := $(shell pkg-config --cflags libusb-1.0 2>/dev/null || echo -I/usr/include/libusb-1.0)
USB_LIBS := $(shell pkg-config --libs libusb-1.0 2>/dev/null || echo -lusb-1.0)
# libsparse (android-libsparse-dev) lives in a private folder, as fastboot's does
SPARSE_LIBS = -L$(ANDROID_LIBDIR) -Wl,-rpath,$(ANDROID_LIBDIR) -lsparse
ZIP_LIBS := $(shell pkg-config --libs libzip 2>/dev/null || echo -lzip)
K1_CFLAGS += $(USB_CFLAGS)
LDLIBS = -lcrypto -lz -ljansson -lfdt -lext2fs -lcom_err $(USB_LIBS) $(SPARSE_LIBS) $(ZIP_LIBS) -lpthread
ifeq ($(SAN),1)
K1_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
K1_LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(wildcard lib/*/*.c)
CLI_SRC := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard bench/bench_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

all: $(BUILD)/k1fw

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(K1_CFLAGS) -c $< -o $@

$(BUILD)/libk1fw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/k1fw: $(CLI_OBJ) $(BUILD)/libk1fw.a
	$(CC) $(CFLAGS) $(K1_LDFLAGS) $(CLI_OBJ) $(BUILD)/libk1fw.a $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(BUILD)/libk1fw.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(K1_CFLAGS) $(K1_LDFLAGS) -Itests/unit $< $(BUILD)/libk1fw.a $(LDLIBS) -lcmocka -o $@

$(BUILD)/bench/%: bench/%.c $(BUILD)/libk1fw.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(K1_CFLAGS) $(K1_LDFLAGS) $< $(BUILD)/libk1fw.a $(LDLIBS) -o $@

tests: $(BUILD)/k1fw $(TEST_BIN)

deps:
	./scripts/install-deps.sh

check: deps
	$(MAKE) format-check layers-check
	$(MAKE) tests
	$(MAKE) BUILD=build/asan SAN=1 tests
	$(MAKE) fuzz-build
	K1FW_FUZZ_DIR=build/fuzz ./tests/run.sh build build/asan

demo: deps
	$(MAKE) all
	./scripts/demo.sh build/k1fw

# libFuzzer targets: clang, ASan+UBSan, one binary per parser.
# `make fuzz FUZZ_SECONDS=N` builds them and runs each for N seconds.
FUZZ_SECONDS ?= 60
fuzz: fuzz-build $(BUILD)/k1fw
	./fuzz/run.sh $(FUZZ_SECONDS)

fuzz-build:
	$(MAKE) BUILD=build/fuzzlib CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build/fuzzlib/libk1fw.a
	@mkdir -p build/fuzz
	for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib $(USB_CFLAGS) -fsanitize=fuzzer,address,undefined $$f \
			build/fuzzlib/libk1fw.a $(LDLIBS) -o build/fuzz/$$n || exit 1; \
	done

# Every C file as .clang-format says (clang-format -i to fix), and the
# library's layers (scripts/check-layers.sh).
format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h' 2>/dev/null || find lib cli tests fuzz bench -name '*.[ch]')

layers-check:
	./scripts/check-layers.sh

bench: $(BENCH_BIN) $(BUILD)/k1fw
	./bench/run.sh $(BUILD)

clean:
	rm -rf build

.PHONY: all tests deps check demo fuzz fuzz-build bench clean format-check layers-check
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
