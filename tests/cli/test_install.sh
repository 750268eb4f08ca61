#!/bin/sh
# make install into a temporary DESTDIR from the build folder of $K1FW: the
# layout (bin, man1 with a page per command, completions, lib with
# libk1fw.so.0 and its SONAME, include, pkgconfig, the udev rule), the
# shared library's exports (nm -D: exactly the declarations include/k1fw.h
# reaches), the example program built with pkg-config against that tree and
# run, the run paths, and make uninstall.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/help_words.sh"

build=$(cd "$(dirname "$K1FW")" && pwd)
case $build in
"$TOP"/*) ;;
*)
	skip "$K1FW is not in a build folder of $TOP: nothing to install"
	done_testing
	exit 0
	;;
esac
san=0 extra=""
if nm "$K1FW" 2>/dev/null | grep -q __asan_init; then
	san=1 extra="-fsanitize=address,undefined"
fi
root="$T/root"
multiarch=$(cc -print-multiarch 2>/dev/null || cc -dumpmachine)
mk() { make -s -C "$TOP" BUILD="$build" SAN="$san" "$@"; }

# --- install ---
if mk install DESTDIR="$root" PREFIX=/usr >"$T/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	not_ok "make install DESTDIR=... PREFIX=/usr"
	sed 's/^/#   /' "$T/install.log" | tail -20
	done_testing
	exit 1
fi

have() { # DESC PATH...: each path exists in the tree
	desc=$1; shift
	missing=""
	for p in "$@"; do [ -e "$root$p" ] || [ -L "$root$p" ] || missing="$missing $p"; done
	[ -z "$missing" ] && ok "installed: $desc" || not_ok "installed: $desc: missing$missing"
}
have "bin/k1fw" /usr/bin/k1fw
pages="/usr/share/man/man1/k1fw.1"
for c in $(help_commands); do pages="$pages /usr/share/man/man1/k1fw-$c.1"; done
have "man1: k1fw.1 and a page per command" $pages
have "completions (bash, zsh)" /usr/share/bash-completion/completions/k1fw \
	/usr/share/zsh/vendor-completions/_k1fw
have "lib: libk1fw.so.0 and libk1fw.so" /usr/lib/libk1fw.so.0 /usr/lib/libk1fw.so
have "include: k1fw.h and its module headers" /usr/include/k1fw.h \
	/usr/include/k1fw/base/error.h /usr/include/k1fw/format/format.h
have "pkgconfig: libk1fw.pc" /usr/lib/pkgconfig/libk1fw.pc
have "udev rule" /usr/lib/udev/rules.d/60-k1fw.rules
grep -q "/usr/share/bash-completion/completions/k1fw" "$root/usr/share/zsh/vendor-completions/_k1fw" &&
	ok "zsh's _k1fw names the installed bash completion" ||
	not_ok "zsh's _k1fw does not name the installed bash completion"
"$root/usr/bin/k1fw" --version >"$T/v" 2>&1 && head -1 "$T/v" | grep -qx "k1fw $(cat "$TOP/VERSION")" &&
	ok "installed k1fw --version prints the VERSION file's" ||
	not_ok "installed k1fw --version: $(head -1 "$T/v")"

# --- the shared library ---
lib="$root/usr/lib/libk1fw.so.0"
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libk1fw.so.0 ] && ok "SONAME libk1fw.so.0" || not_ok "SONAME is '$soname'"
for f in "$lib" "$root/usr/bin/k1fw"; do
	rp=$(readelf -d "$f" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')
	[ "$rp" = "/usr/lib/$multiarch/android" ] &&
		ok "$(basename "$f"): run path is libsparse's folder only" ||
		not_ok "$(basename "$f"): run path '$rp'"
done
# (an ASan build adds an __odr_asan.NAME indicator beside each exported variable)
nm -D --defined-only "$lib" | awk '$2 ~ /[A-Z]/ && $3 !~ /^__odr_asan\./ { print $3 }' |
	sort -u >"$T/exported"
bad=$(grep -v '^k1_' "$T/exported" | tr '\n' ' ')
[ -s "$T/exported" ] && [ -z "$bad" ] && ok "nm -D: every export is k1_ ($(wc -l <"$T/exported") symbols)" ||
	not_ok "nm -D: exports outside k1_: $bad"
# What the public headers declare: gcc's -aux-info lists every function
# prototype with the header it comes from; extern variables by their line.
echo '#include <k1fw.h>' >"$T/decl.c"
PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$root/usr/lib/pkgconfig:/usr/lib/$multiarch/pkgconfig:/usr/share/pkgconfig" \
	pkg-config --cflags libk1fw >"$T/cflags" 2>&1
if gcc -std=c11 -fsyntax-only -aux-info "$T/aux" $(cat "$T/cflags") "$T/decl.c" 2>"$T/cc.err"; then
	ok "k1fw.h compiles alone (gcc -std=c11, the installed tree's cflags)"
else
	not_ok "k1fw.h does not compile alone"
	sed 's/^/#   /' "$T/cc.err" | head -10
	: >"$T/aux"
fi
grep "^/\* $root/usr/include/" "$T/aux" | grep ' extern ' |
	sed -E 's/.*[^A-Za-z0-9_](k1_[A-Za-z0-9_]+) \(.*/\1/' | sort -u >"$T/declared"
grep -rhoE '^extern [^(]*[^A-Za-z0-9_](k1_[A-Za-z0-9_]+)[[;]' "$root/usr/include" |
	grep -oE 'k1_[A-Za-z0-9_]+[[;]' | tr -d '[;' | sort -u >>"$T/declared"
sort -u -o "$T/declared" "$T/declared"
hidden=$(comm -23 "$T/declared" "$T/exported" | tr '\n' ' ')
extra_exp=$(comm -13 "$T/declared" "$T/exported" | tr '\n' ' ')
[ -s "$T/aux" ] && [ -z "$hidden" ] && ok "nm -D: every function the public headers declare is exported" ||
	not_ok "nm -D: declared but not exported: $hidden"
[ -z "$extra_exp" ] && ok "nm -D: nothing exported that the public headers do not declare" ||
	not_ok "nm -D: exported but not in the public headers: $extra_exp"
internal=$(nm --defined-only -g "$build/libk1fw.a" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TDRB]/ { print $3 }' |
	sort -u | comm -23 - "$T/exported" | wc -l)
[ "$internal" -gt 0 ] && ok "nm -D: $internal internal functions stay hidden" ||
	not_ok "nm -D: no internal function is hidden"

# --- the example, against the installed tree only ---
export PKG_CONFIG_SYSROOT_DIR="$root"
export PKG_CONFIG_LIBDIR="$root/usr/lib/pkgconfig:/usr/lib/$multiarch/pkgconfig:/usr/share/pkgconfig"
if cc -std=c11 -Wall -Wextra -Werror -pedantic $extra "$TOP/examples/libk1fw/k1check.c" \
	$(pkg-config --cflags --libs libk1fw) -o "$T/k1check" 2>"$T/cc.err"; then
	ok "examples/libk1fw/k1check.c builds with pkg-config --cflags --libs libk1fw"
else
	not_ok "examples/libk1fw/k1check.c does not build"
	sed 's/^/#   /' "$T/cc.err" | head -10
fi
readelf -d "$T/k1check" | grep -q 'NEEDED.*libk1fw.so.0' && ok "k1check links libk1fw.so.0" ||
	not_ok "k1check does not link libk1fw.so.0"
export LD_LIBRARY_PATH="$root/usr/lib"
"$K1FW" bootinfo --media sd -o "$T/bootinfo.bin" >/dev/null
expect_rc 0 "k1check on a sound bootinfo: exit 0" "$T/k1check" "$T/bootinfo.bin"
grep -q "bootinfo, [0-9]* checks, 0 failed" "$T/out" && ok "k1check names the format and the checks" ||
	not_ok "k1check printed: $(cat "$T/out")"
cp "$T/bootinfo.bin" "$T/bad.bin"
printf '\377' | dd of="$T/bad.bin" bs=1 seek=20 conv=notrunc 2>/dev/null
expect_rc 1 "k1check on a damaged bootinfo: exit 1" "$T/k1check" "$T/bad.bin"
grep -q "FAIL bootinfo.crc32" "$T/out" && ok "k1check reports bootinfo.crc32" ||
	not_ok "k1check printed: $(cat "$T/out")"
head -c 100 /dev/zero >"$T/zero.bin"
expect_fail 2 "not a K1 artefact" "k1check on zeros: one line, exit 2" "$T/k1check" "$T/zero.bin"
usage=$("$T/k1check" 2>&1)
case $usage in *"libk1fw $(cat "$TOP/VERSION")"*) ok "k1_version() is the VERSION file's" ;;
*) not_ok "k1check usage: $usage" ;; esac
unset LD_LIBRARY_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR

# --- uninstall: nothing left but folders ---
mk uninstall DESTDIR="$root" PREFIX=/usr >"$T/un.log" 2>&1
left=$(find "$root" ! -type d | sed "s|^$root||" | tr '\n' ' ')
[ -z "$left" ] && ok "make uninstall removes every installed file" || not_ok "make uninstall left: $left"

# --- the variables: default PREFIX /usr/local, LIBDIR and MANDIR honoured ---
mk install DESTDIR="$root" LIBDIR=/usr/local/lib/"$multiarch" MANDIR=/opt/man >"$T/install2.log" 2>&1
have "PREFIX defaults to /usr/local; LIBDIR, MANDIR honoured" /usr/local/bin/k1fw \
	/usr/local/lib/"$multiarch"/libk1fw.so.0 /usr/local/lib/"$multiarch"/pkgconfig/libk1fw.pc \
	/opt/man/man1/k1fw.1 /usr/local/include/k1fw.h /usr/local/share/zsh/site-functions/_k1fw \
	/usr/local/lib/udev/rules.d/60-k1fw.rules
grep -qx "libdir=/usr/local/lib/$multiarch" "$root/usr/local/lib/$multiarch/pkgconfig/libk1fw.pc" &&
	ok "libk1fw.pc names LIBDIR" || not_ok "libk1fw.pc does not name LIBDIR"
rm -rf "$root"

# --- one version: debian/changelog follows VERSION ---
if [ -f "$TOP/debian/changelog" ]; then
	deb=$(sed -n '1s/^[^(]*(\([^)-]*\).*/\1/p' "$TOP/debian/changelog")
	[ "$deb" = "$(cat "$TOP/VERSION")" ] && ok "debian/changelog is at VERSION ($deb)" ||
		not_ok "debian/changelog is at $deb, VERSION says $(cat "$TOP/VERSION")"
fi
done_testing
