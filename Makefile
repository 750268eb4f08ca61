# k1fw — build, check, assemble and flash SpacemiT K1 boot firmware.
#   make          build build/k1fw
#   make check    install deps, build (plain and ASan+UBSan), run every test
#   make demo     install deps, build, run the main job on built-in samples
#   make fuzz     build the libFuzzer targets and run each (FUZZ_SECONDS=60)
#   make update-expected  rewrite tests/cli/expected/ after an intended output change
#   make bench    build and run the benchmarks

BUILD ?= build
SAN ?= 0
CC ?= cc
CFLAGS ?= -O2 -g
K1_CFLAGS = -DK1FW_VERSION=\"0.1.0\" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib -MMD -MP
ANDROID_LIBDIR ?= /usr/lib/$(or $(shell $(CC) -print-multiarch 2>/dev/null),x86_64-linux-gnu)/android
USB_CFLAGS := $(shell pkg-config --cflags libusb-1.0 2>/dev/null || echo -I/usr/include/libusb-1.0)
USB_LIBS := $(shell pkg-config --libs libusb-1.0 2>/dev/null || echo -lusb-1.0)
# libsparse (android-libsparse-dev) lives in a private folder, as fastboot's does
SPARSE_LIBS = -L$(ANDROID_LIBDIR) -Wl,-rpath,$(ANDROID_LIBDIR) -lsparse
ZIP_LIBS := $(shell pkg-config --libs libzip 2>/dev/null || echo -lzip)
K1_CFLAGS += $(USB_CFLAGS)
LDLIBS = -lcrypto -lz -ljansson -lfdt -lext2fs -lcom_err $(USB_LIBS) $(SPARSE_LIBS) $(ZIP_LIBS) -lpthread
# SAN=1: ASan + UBSan. SAN=fuzz: the same for libFuzzer (clang), whose
# targets are built with `make fuzz-build` into build/fuzz.
ifneq ($(SAN),0)
K1_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
K1_LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SAN),fuzz)
K1_CFLAGS += -fsanitize=fuzzer-no-link
endif

LIB_SRC := $(wildcard lib/*/*.c)
CLI_SRC := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
# fuzz_format.c is built once per format in FUZZ_FORMATS (fuzz_<format>)
FUZZ_SRC := $(filter-out fuzz/fuzz_format.c,$(wildcard fuzz/fuzz_*.c))
FUZZ_FORMATS := bootinfo fsbl env fit ptable sparse
BENCH_SRC := $(wildcard bench/bench_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/%) $(FUZZ_FORMATS:%=$(BUILD)/fuzz_%)

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

# libFuzzer targets (SAN=fuzz builds, where BUILD is build/fuzz, which then
# holds only the targets beside the library: no .d files)
FUZZ_CFLAGS = $(CFLAGS) $(filter-out -MMD -MP,$(K1_CFLAGS)) $(K1_LDFLAGS) -fsanitize=fuzzer
$(FUZZ_FORMATS:%=$(BUILD)/fuzz_%): $(BUILD)/fuzz_%: fuzz/fuzz_format.c $(BUILD)/libk1fw.a
	$(CC) $(FUZZ_CFLAGS) -DFORMAT=$* -DFORMAT_$* $< $(BUILD)/libk1fw.a $(LDLIBS) -o $@

$(BUILD)/fuzz_%: fuzz/fuzz_%.c $(BUILD)/libk1fw.a
	$(CC) $(FUZZ_CFLAGS) $< $(BUILD)/libk1fw.a $(LDLIBS) -o $@

fuzz-targets: $(FUZZ_BIN)

tests: $(BUILD)/k1fw $(TEST_BIN)

deps:
	./scripts/install-deps.sh

check: deps
	$(MAKE) format-check layers-check headers-check
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
	$(MAKE) BUILD=build/fuzz SAN=fuzz CC=clang CFLAGS="-O1 -g" fuzz-targets

# Every C file as .clang-format says (clang-format -i to fix), and the
# library's layers (scripts/check-layers.sh).
format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h' 2>/dev/null || find lib cli tests fuzz bench -name '*.[ch]')

layers-check:
	./scripts/check-layers.sh

# Every library header in one translation unit (the list made from lib/):
# two headers that clash (a name, an enum value, a macro) fail here.
headers-check:
	@mkdir -p $(BUILD)
	for h in $(sort $(wildcard lib/*/*.h)); do echo "#include \"$${h#lib/}\""; done >$(BUILD)/all_headers.c
	$(CC) $(CFLAGS) $(filter-out -MMD -MP,$(K1_CFLAGS)) -fsyntax-only $(BUILD)/all_headers.c

# Rewrite tests/cli/expected/ (the outputs test_expected.sh compares) from
# this k1fw, after an intended change of an output; review `git diff` first.
update-expected: $(BUILD)/k1fw
	K1FW=$(CURDIR)/$(BUILD)/k1fw K1FW_UPDATE_EXPECTED=1 sh tests/cli/test_expected.sh

bench: $(BENCH_BIN) $(BUILD)/k1fw
	./bench/run.sh $(BUILD)

clean:
	rm -rf build

.PHONY: all tests deps check demo fuzz fuzz-build fuzz-targets bench clean format-check \
	layers-check headers-check update-expected
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
