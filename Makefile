# k1fw — build, check, assemble and flash SpacemiT K1 boot firmware.
#   make          build build/k1fw, build/libk1fw.so.0 and the man pages
#   make check    install deps, build (plain and ASan+UBSan), run every test
#   make demo     install deps, build, run the main job on built-in samples
#   make fuzz     build the libFuzzer targets and run each (FUZZ_SECONDS=60)
#   make update-expected  rewrite tests/cli/expected/ after an intended output change
#   make bench    build and run the benchmarks
#   make install  PREFIX=/usr/local DESTDIR= BINDIR LIBDIR INCLUDEDIR MANDIR ...
#   make uninstall (the same variables)
# CPPFLAGS, CFLAGS and LDFLAGS from the environment are honoured (Debian's
# hardening flags); -Werror is on for the project's own builds (check, tests,
# fuzz) and off for `make`/`make install` unless WERROR=1.

BUILD ?= build
SAN ?= 0
CC ?= cc
CFLAGS ?= -O2 -g
# One place for the version: --version, k1_version(), libk1fw.pc, the
# library's file name and the man pages; debian/rules checks
# debian/changelog against it.
VERSION := $(shell cat VERSION)
SOVERSION = 0
WERROR ?= $(if $(filter check tests fuzz fuzz-build,$(MAKECMDGOALS)),1,0)
K1_CFLAGS = -DK1FW_VERSION=\"$(VERSION)\" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Ilib -MMD -MP
ifeq ($(WERROR),1)
K1_CFLAGS += -Werror
endif
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null | grep . || $(CC) -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
ANDROID_LIBDIR ?= /usr/lib/$(MULTIARCH)/android
USB_CFLAGS := $(shell pkg-config --cflags libusb-1.0 2>/dev/null || echo -I/usr/include/libusb-1.0)
USB_LIBS := $(shell pkg-config --libs libusb-1.0 2>/dev/null || echo -lusb-1.0)
# libsparse (android-libsparse-dev) lives in Debian's private folder for the
# Android tools, which the loader does not search and which has no .pc file:
# a run path to that one folder is the only way to find it at run time (as
# Debian's own fastboot does). SPARSE_RPATH= drops it where libsparse is on
# the loader's path.
SPARSE_RPATH ?= -Wl,-rpath,$(ANDROID_LIBDIR)
SPARSE_LIBS = -L$(ANDROID_LIBDIR) $(SPARSE_RPATH) -lsparse
ZIP_LIBS := $(shell pkg-config --libs libzip 2>/dev/null || echo -lzip)
K1_CFLAGS += $(USB_CFLAGS)
LDLIBS = -lcrypto -lz -ljansson -lfdt -lext2fs -lcom_err $(USB_LIBS) $(SPARSE_LIBS) $(ZIP_LIBS) -lpthread
# SAN=1: ASan + UBSan. SAN=fuzz: the same for libFuzzer (clang), whose
# targets are built with `make fuzz-build` into build/fuzz.
K1_LDFLAGS = -Wl,--as-needed
ifneq ($(SAN),0)
K1_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
K1_LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SAN),fuzz)
K1_CFLAGS += -fsanitize=fuzzer-no-link
endif

# Where `make install` puts things (DESTDIR is prepended to each).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# Debian's zsh searches vendor-completions for /usr, site-functions for /usr/local.
ZSHCOMPDIR ?= $(DATADIR)/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
INSTALL ?= install

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
# The shared library's objects: position-independent, hidden by default,
# with include/k1fw.h read first so the declarations it reaches (and only
# those) are exported. Kept apart from $(BUILD)/obj so the static archive,
# the CLI and the tests do not rebuild whenever a public header changes.
PIC_OBJ := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
SONAME = libk1fw.so.$(SOVERSION)
SHLIB = $(BUILD)/libk1fw.so.$(VERSION)
MAN_SRC := $(wildcard doc/man/*.scd)
MAN_PAGES := $(MAN_SRC:doc/man/%.scd=$(BUILD)/man/%)

# The CLI stays statically linked to libk1fw (see README "Installing").
all: $(BUILD)/k1fw shlib man

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(K1_CFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(K1_CFLAGS) -fPIC -fvisibility=hidden -include include/k1fw.h -c $< -o $@

$(BUILD)/obj/lib/base/version.o $(BUILD)/pic/lib/base/version.o $(BUILD)/obj/cli/main.o: VERSION

$(BUILD)/libk1fw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHLIB): $(PIC_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $(K1_LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs \
		$(PIC_OBJ) $(LDLIBS) -o $@
	ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libk1fw.so

shlib: $(SHLIB)

$(BUILD)/k1fw: $(CLI_OBJ) $(BUILD)/libk1fw.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(K1_LDFLAGS) $(CLI_OBJ) $(BUILD)/libk1fw.a $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(BUILD)/libk1fw.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(K1_CFLAGS) $(LDFLAGS) $(K1_LDFLAGS) -Itests/unit $< $(BUILD)/libk1fw.a $(LDLIBS) -lcmocka -o $@

$(BUILD)/bench/%: bench/%.c $(BUILD)/libk1fw.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(K1_CFLAGS) $(LDFLAGS) $(K1_LDFLAGS) $< $(BUILD)/libk1fw.a $(LDLIBS) -o $@

# libFuzzer targets (SAN=fuzz builds, where BUILD is build/fuzz, which then
# holds only the targets beside the library: no .d files)
FUZZ_CFLAGS = $(CFLAGS) $(filter-out -MMD -MP,$(K1_CFLAGS)) $(K1_LDFLAGS) -fsanitize=fuzzer
$(FUZZ_FORMATS:%=$(BUILD)/fuzz_%): $(BUILD)/fuzz_%: fuzz/fuzz_format.c $(BUILD)/libk1fw.a
	$(CC) $(FUZZ_CFLAGS) -DFORMAT=$* -DFORMAT_$* $< $(BUILD)/libk1fw.a $(LDLIBS) -o $@

$(BUILD)/fuzz_%: fuzz/fuzz_%.c $(BUILD)/libk1fw.a
	$(CC) $(FUZZ_CFLAGS) $< $(BUILD)/libk1fw.a $(LDLIBS) -o $@

fuzz-targets: $(FUZZ_BIN)

# Man pages: one scdoc source per page in doc/man/ (k1fw.1 and k1fw-COMMAND.1).
$(BUILD)/man/%: doc/man/%.scd VERSION
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< | scdoc >$@.tmp && mv $@.tmp $@

man: $(MAN_PAGES)

# The headers include/k1fw.h reaches (lib/<layer>/<name>.h), installed as
# $(INCLUDEDIR)/k1fw/<layer>/<name>.h beside $(INCLUDEDIR)/k1fw.h.
PUBLIC_HEADERS = $(filter lib/%,$(shell $(CC) -MM -MT x -Ilib $(USB_CFLAGS) include/k1fw.h | tr -d '\\'))

tests: $(BUILD)/k1fw $(TEST_BIN) shlib

deps:
	./scripts/install-deps.sh

check: deps
	$(MAKE) format-check layers-check headers-check man-check
	$(MAKE) tests
	$(MAKE) BUILD=build/asan SAN=1 tests
	$(MAKE) fuzz-build
	K1FW_FUZZ_DIR=build/fuzz ./tests/run.sh build build/asan

# The emulator and k1fw flash against the vendor's own U-Boot (sandbox board
# in ../shared/vendor/uboot-sandbox, needs root): ~16 minutes, so not in check.
check-vendor: deps
	$(MAKE) tests
	K1FW_VENDOR_BOARD=1 K1FW_SUITES=test_vendor_board ./tests/run.sh build

demo: deps
	$(MAKE) $(BUILD)/k1fw
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

# Every page renders without a warning from man (tests/cli/test_man.sh
# checks the rest: every option of every --help is in its page).
man-check: man
	@for p in $(MAN_PAGES); do \
		w=$$(MANWIDTH=80 man --warnings -E UTF-8 -l $$p 2>&1 >/dev/null); \
		[ -z "$$w" ] || { echo "$$p: $$w"; exit 1; }; \
	done; echo "man pages: ok"

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/k1fw $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(UDEVRULESDIR)
	$(INSTALL) -m 0755 $(BUILD)/k1fw $(DESTDIR)$(BINDIR)/k1fw
	$(INSTALL) -m 0644 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libk1fw.so
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' lib/libk1fw.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libk1fw.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libk1fw.pc
	$(INSTALL) -m 0644 include/k1fw.h $(DESTDIR)$(INCLUDEDIR)/k1fw.h
	for h in $(PUBLIC_HEADERS:lib/%=%); do \
		$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/k1fw/$$(dirname $$h) && \
		$(INSTALL) -m 0644 lib/$$h $(DESTDIR)$(INCLUDEDIR)/k1fw/$$h || exit 1; \
	done
	$(INSTALL) -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 contrib/completion/k1fw.bash $(DESTDIR)$(BASHCOMPDIR)/k1fw
	sed 's|@BASHCOMPDIR@|$(BASHCOMPDIR)|' contrib/completion/_k1fw >$(DESTDIR)$(ZSHCOMPDIR)/_k1fw
	chmod 0644 $(DESTDIR)$(ZSHCOMPDIR)/_k1fw
	$(INSTALL) -m 0644 contrib/udev/60-k1fw.rules $(DESTDIR)$(UDEVRULESDIR)/60-k1fw.rules
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig 2>/dev/null || true; \
		echo "k1fw: installed. USB access without root: udevadm control --reload && udevadm trigger, then re-plug the board"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/k1fw $(DESTDIR)$(LIBDIR)/libk1fw.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libk1fw.so \
		$(DESTDIR)$(PKGCONFIGDIR)/libk1fw.pc $(DESTDIR)$(INCLUDEDIR)/k1fw.h \
		$(MAN_PAGES:$(BUILD)/man/%=$(DESTDIR)$(MANDIR)/man1/%) \
		$(DESTDIR)$(BASHCOMPDIR)/k1fw $(DESTDIR)$(ZSHCOMPDIR)/_k1fw \
		$(DESTDIR)$(UDEVRULESDIR)/60-k1fw.rules
	rm -rf $(DESTDIR)$(INCLUDEDIR)/k1fw

bench: $(BENCH_BIN) $(BUILD)/k1fw
	./bench/run.sh $(BUILD)

clean:
	rm -rf build

.PHONY: all tests deps check check-vendor demo fuzz fuzz-build fuzz-targets bench clean format-check \
	layers-check headers-check update-expected
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

.PHONY: all shlib man man-check install uninstall tests deps check demo fuzz fuzz-build bench clean \
	format-check layers-check
export WERROR
-include $(shell find $(BUILD)/obj $(BUILD)/pic -name '*.d' 2>/dev/null)
