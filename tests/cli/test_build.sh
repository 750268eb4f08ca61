#!/bin/sh
# k1fw build from the command line: the vendor recipes run unchanged from
# their folder, the example recipes equal the typed commands, and bad
# recipes fail with one line, exit 2 and no output.
. "$(dirname "$0")/lib.sh"

if have_vendor; then
	for r in bootinfo_emmc bootinfo_sd bootinfo_spinor bootinfo_spinand; do
		expect_rc 0 "build $r.json" "$K1FW" build -c "$VENDOR/k1-x/configs/$r.json" -o "$T/$r.bin"
		same_file "$T/$r.bin" "$VENDOR/golden/$r.bin" "$r.json gives the vendor file"
	done
	expect_rc 0 "build fsbl.json with -d" "$K1FW" build -c "$VENDOR/k1-x/configs/fsbl.json" -d "$T/d" -o FSBL.bin
	same_file "$T/d/FSBL.bin" "$VENDOR/golden/FSBL.bin" "fsbl.json gives the vendor FSBL.bin"
	[ ! -s "$T/err" ] && ok "no warning for the vendor recipes" || not_ok "unexpected warning: $(cat "$T/err")"
	# the vendor script writes derived keys beside the recipe; k1fw must not
	cp -r "$VENDOR/k1-x" "$T/tree" && chmod -R u+w "$T/tree"
	before=$(find "$T/tree" | sort)
	"$K1FW" build -c "$T/tree/configs/fsbl.json" -o "$T/f2.bin"
	[ "$(find "$T/tree" | sort)" = "$before" ] && ok "nothing written beside the recipe" ||
		not_ok "files appeared beside the recipe"
	# the mainline docs (k1-spl.rst): fsbl_ddr.json = fsbl.json naming u-boot-spl-ddr.bin
	sed 's/u-boot-spl\.bin/u-boot-spl-ddr.bin/g' "$T/tree/configs/fsbl.json" >"$T/tree/configs/fsbl_ddr.json"
	{ seeded_bytes 120000 spl-ddr; printf 'U-Boot SPL 2026.04-rc4 (May 08 2026)\0'; } >"$T/tree/u-boot-spl-ddr.bin"
	expect_rc 0 "build fsbl_ddr.json (the mainline docs' recipe)" "$K1FW" build -c "$T/tree/configs/fsbl_ddr.json" -o "$T/ddr_recipe.bin"
	expect_rc 0 "fsbl --spl u-boot-spl-ddr.bin" "$K1FW" fsbl --spl "$T/tree/u-boot-spl-ddr.bin" --keys "$T/tree/configs/key" -o "$T/ddr_typed.bin"
	same_file "$T/ddr_recipe.bin" "$T/ddr_typed.bin" "fsbl_ddr.json and k1fw fsbl give the same FSBL.bin"
	{ seeded_bytes 210000 spl-big; printf 'U-Boot SPL 2026.04 (May 08 2026)\0'; } >"$T/big-ddr.bin"
	expect_fail 2 "SPL_SIZE_LIMIT 0x31000" "a mainline SPL over 0x31000 is refused" "$K1FW" fsbl --spl "$T/big-ddr.bin" --keys "$T/tree/configs/key" -o "$T/big.bin"
	expect_rc 0 "--spl-limit 0x36000 overrides the mainline limit" "$K1FW" fsbl --spl "$T/big-ddr.bin" --keys "$T/tree/configs/key" --spl-limit 0x36000 -o "$T/big.bin"
	{ seeded_bytes 210000 spl-big; printf 'U-Boot SPL 2022.10ky (Feb 17 2025)\0'; } >"$T/big-vendor.bin"
	expect_rc 0 "the same size with the vendor banner fits the vendor limit 0x36000" "$K1FW" fsbl --spl "$T/big-vendor.bin" --keys "$T/tree/configs/key" -o "$T/bigv.bin"
else
	skip "vendor files absent: golden recipes"
fi

# the example recipes (our own) against the typed commands, with our keys
cp -r "$TOP/examples/k1-x" "$T/ex"
"$K1FW" keygen -o "$T/ex/configs/key" >/dev/null
seeded_bytes 50000 example-spl >"$T/ex/u-boot-spl.bin"
expect_rc 0 "example fsbl.json" "$K1FW" build -c "$T/ex/configs/fsbl.json" -o "$T/ex_fsbl.bin"
"$K1FW" fsbl --spl "$T/ex/u-boot-spl.bin" --keys "$T/ex/configs/key" -o "$T/typed_fsbl.bin"
same_file "$T/ex_fsbl.bin" "$T/typed_fsbl.bin" "recipe and k1fw fsbl agree"
expect_rc 0 "example bootinfo_sd.json" "$K1FW" build -c "$T/ex/configs/bootinfo_sd.json" -o "$T/ex_bi.bin"
"$K1FW" bootinfo --media sd -o "$T/typed_bi.bin"
same_file "$T/ex_bi.bin" "$T/typed_bi.bin" "recipe and k1fw bootinfo agree"

# bad recipes: one line naming the recipe and the problem, exit 2, no output
mkdir -p "$T/bad"
bad() { # NAME JSON PATTERN
	printf '%s\n' "$2" >"$T/bad/$1.json"
	expect_fail 2 "$3" "$1 is refused" "$K1FW" build -c "$T/bad/$1.json" -o "$T/bad/$1.bin"
	grep -q "$1.json" "$T/err" && ok "$1: the message names the recipe" || not_ok "$1: recipe not named"
	[ ! -e "$T/bad/$1.bin" ] && ok "$1: no output file" || not_ok "$1: output left"
}
bad too_wide '{"image":[{"module":"m","data":[{"structure":["a, 0x100000000, 4"]}]}]}' "wider\|bytes"
bad unknown_item '{"image":[{"module":"m","data":[{"blob":{}}]}]}' "blob"
bad missing_file '{"image":[{"module":"m","data":[{"file":{"name":"f","source":"nope.bin"}}]}]}' "nope.bin"
bad missing_name '{"image":[{"module":"m","data":[{"structure":["c, crc32(ghost), 4"]}]}]}' "ghost"
bad bad_json '{"image": [' "malformed JSON"
cp "$T/ex/configs/key/uboot_pubkey_pub.key" "$T/bad/pub.key"
bad public_only '{"image":[{"module":"m","data":[{"pubkey":{"name":"k","source":"pub.key"}},{"signature":{"name":"s","algorithm":"SHA256+RSA2048","key":"k","source":"k"}}]}]}' "private"
bad bad_algo '{"image":[{"module":"m","data":[{"hash":{"name":"h","algorithm":"MD4","source":"x"}}]}]}' "MD4\|algorithm"
expect_fail 2 "missing -c" "-c is required" "$K1FW" build -o "$T/x.bin"
expect_fail 2 "cannot open\|No such" "missing recipe" "$K1FW" build -c "$T/none.json" -o "$T/x.bin"

# a forward reference whose value changed between the passes is a warning
printf '%s\n' '{"image":[{"module":"m","data":[{"structure":["name, a, 0","c, crc32(b), 4"]},{"structure":["name, b, 0","s, crc32(a), 4"]}]}]}' >"$T/fwd.json"
expect_rc 0 "changing forward reference still builds" "$K1FW" build -c "$T/fwd.json" -o "$T/fwd.bin"
grep -q "warning" "$T/err" && ok "and warns" || not_ok "no warning for a changed forward reference"
done_testing
