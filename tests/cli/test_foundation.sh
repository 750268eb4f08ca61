#!/bin/sh
# k1fw bootinfo / fsbl / keygen / verify from the command line: the vendor
# files by the typed commands, the independent FSBL checker, bad input.
. "$(dirname "$0")/lib.sh"

# --- bootinfo: the typed commands give the vendor files ---
for m in emmc sd spinor spinand; do
	if have_vendor; then
		expect_rc 0 "bootinfo --media $m runs" "$K1FW" bootinfo --media "$m" -o "$T/bi_$m.bin"
		same_file "$T/bi_$m.bin" "$VENDOR/golden/bootinfo_$m.bin" "bootinfo $m equals the vendor file"
	else
		skip "vendor files absent: bootinfo $m golden"
	fi
done
expect_rc 0 "bootinfo -d DIR puts OUT in DIR" "$K1FW" bootinfo --media sd -d "$T/outdir" -o b.bin
[ -s "$T/outdir/b.bin" ] && ok "-d created DIR/OUT" || not_ok "-d created DIR/OUT"
expect_rc 0 "bootinfo field options" "$K1FW" bootinfo --media sd --spl0 256K --spl1 0x100000 \
	--spl-limit 0x30000 --page-size 4096 --block-size 0x40000 --total-size 1G -o "$T/custom.bin"
run "$K1FW" inspect --json "$T/custom.bin"
python3 - "$T/out" <<'PY' && ok "custom fields read back" || not_ok "custom fields read back"
import json, sys
d = json.load(open(sys.argv[1]))["files"][0]
want = dict(spl0_offset=0x40000, spl1_offset=0x100000, spl_size_limit=0x30000,
            page_size=4096, block_size=0x40000, total_size=1 << 30, crc_ok=True, media="sd")
bad = {k: d.get(k) for k in want if d.get(k) != want[k]}
sys.exit(1 if bad else 0)
PY
expect_fail 2 "media: expected emmc" "unknown media is refused" "$K1FW" bootinfo --media nvme -o "$T/x.bin"
expect_fail 2 "spl0: expected a 32-bit number" "bad number is refused" "$K1FW" bootinfo --media sd --spl0 12Q -o "$T/x.bin"
expect_fail 2 "spl0: expected a 32-bit number" "number over 32 bits is refused" "$K1FW" bootinfo --media sd --spl0 8G -o "$T/x.bin"
expect_fail 2 "missing --media" "--media is required" "$K1FW" bootinfo -o "$T/x.bin"
expect_fail 2 "missing -o" "-o is required" "$K1FW" bootinfo --media sd
[ ! -e "$T/x.bin" ] && ok "no output after errors" || not_ok "no output after errors"
expect_fail 2 "the folder /nonexistent/dir does not exist" "a missing output folder is a clear error" "$K1FW" bootinfo --media sd -o /nonexistent/dir/b.bin

# --- keygen ---
expect_rc 0 "keygen makes a key set" "$K1FW" keygen -o "$T/keys"
hash=$(sed -n 's/^rotpk_hash //p' "$T/out")
for k in rsakeypair0 spl_pubkey uboot_pubkey kernel_pubkey rootfs_pubkey; do
	m=$(stat -c %a "$T/keys/${k}_prv.key" 2>/dev/null)
	[ "$m" = 600 ] && ok "$k private key is mode 0600" || not_ok "$k private key mode is '$m'"
done
want=$(openssl rsa -in "$T/keys/rsakeypair0_prv.key" -noout -modulus 2>/dev/null | sed 's/Modulus=//' |
	python3 -c 'import sys,hashlib; print(hashlib.sha256(bytes.fromhex(sys.stdin.read().strip())).hexdigest())')
[ -n "$hash" ] && [ "$hash" = "$want" ] && ok "printed ROTPK hash = SHA-256 of the modulus (openssl)" ||
	not_ok "ROTPK hash '$hash' != '$want'"
sum_before=$(cat "$T/keys"/*.key | sha256sum)
expect_fail 2 "already exists" "keygen never overwrites" "$K1FW" keygen -o "$T/keys"
[ "$(cat "$T/keys"/*.key | sha256sum)" = "$sum_before" ] && ok "existing keys untouched" || not_ok "keys changed"

# --- fsbl with our own keys, checked by the independent checker ---
seeded_bytes 100000 spl >"$T/spl.bin"
expect_rc 0 "fsbl with own keys" "$K1FW" fsbl --spl "$T/spl.bin" --keys "$T/keys" -o "$T/FSBL.bin"
checker="$TOP/../shared/spec/verify_fsbl.py"
if [ -f "$checker" ] && python3 -c 'import cryptography' 2>/dev/null; then
	run python3 "$checker" "$T/FSBL.bin" "$T/keys/rsakeypair0_prv.key" "$T/keys/spl_pubkey_pub.key" "$T/spl.bin"
	[ "$rc" -eq 0 ] && ok "verify_fsbl.py accepts our FSBL" || { not_ok "verify_fsbl.py rejects our FSBL"; sed 's/^/#  /' "$T/out"; }
else
	skip "verify_fsbl.py or python3-cryptography absent"
fi
expect_rc 0 "k1fw verify accepts it" "$K1FW" verify "$T/FSBL.bin"
expect_rc 0 "verify with the right --rotpk-hash" "$K1FW" verify --rotpk-hash "$hash" "$T/FSBL.bin"
expect_rc 1 "verify with another efuse hash fails" "$K1FW" verify --rotpk-hash "$(printf '%064d' 0)" "$T/FSBL.bin"
grep -q "fsbl.rotpk_efuse" "$T/out" && ok "the failure names fsbl.rotpk_efuse" || not_ok "efuse failure not named"
expect_fail 2 "rotpk-hash: expected 64 hex digits" "bad --rotpk-hash" "$K1FW" verify --rotpk-hash xyz "$T/FSBL.bin"

head -c 217000 /dev/zero >"$T/big.bin"
expect_fail 2 "over the bootinfo spl_size_limit 0x36000" "too-large SPL is refused" \
	"$K1FW" fsbl --spl "$T/big.bin" --keys "$T/keys" -o "$T/FSBL2.bin"
[ ! -e "$T/FSBL2.bin" ] && ok "no FSBL written after the refusal" || not_ok "partial FSBL left"
expect_rc 0 "--spl-limit 0 lifts the limit" "$K1FW" fsbl --spl "$T/big.bin" --keys "$T/keys" --spl-limit 0 -o "$T/FSBL2.bin"
expect_fail 2 "cannot open" "missing SPL" "$K1FW" fsbl --spl "$T/none.bin" --keys "$T/keys" -o "$T/F.bin"
expect_fail 2 "rsakeypair0_prv.key" "missing key folder" "$K1FW" fsbl --spl "$T/spl.bin" --keys "$T/nokeys" -o "$T/F.bin"
ls "$T"/*.tmp-* >/dev/null 2>&1 && not_ok "temporary files left behind" || ok "no temporary files left behind"

if have_vendor; then
	expect_rc 0 "fsbl with the vendor keys and SPL" "$K1FW" fsbl --spl "$VENDOR/k1-x/u-boot-spl.bin" \
		--keys "$VENDOR/k1-x/configs/key" -o "$T/FSBL_vendor.bin"
	same_file "$T/FSBL_vendor.bin" "$VENDOR/golden/FSBL.bin" "FSBL equals the vendor FSBL.bin"
	expect_rc 0 "golden bootinfos and FSBL verify clean" "$K1FW" verify "$VENDOR"/golden/bootinfo_*.bin "$VENDOR/golden/FSBL.bin"
	expect_rc 0 "golden FSBL against its efuse hash" "$K1FW" verify \
		--rotpk-hash 60a35283061ae0edffe0d2bd56a9916d3070529f11c420d83092fc86561415f2 "$VENDOR/golden/FSBL.bin"
else
	skip "vendor files absent: FSBL golden"
fi

# --- verify/inspect of bootinfo: every single-byte flip fails, every truncation is clean ---
"$K1FW" bootinfo --media sd -o "$T/bi.bin"
flips_ok=1
i=0
while [ $i -lt 80 ]; do
	cp "$T/bi.bin" "$T/flip.bin"
	printf '\377' | dd of="$T/flip.bin" bs=1 seek=$i conv=notrunc 2>/dev/null
	cmp -s "$T/flip.bin" "$T/bi.bin" && { i=$((i + 1)); continue; } # byte already 0xff
	"$K1FW" verify "$T/flip.bin" >/dev/null 2>&1
	[ $? -eq 1 ] || { flips_ok=0; echo "# flip at $i not caught"; }
	i=$((i + 1))
done
[ $flips_ok -eq 1 ] && ok "every bootinfo byte flip fails verify" || not_ok "a bootinfo byte flip passed verify"
trunc_ok=1
i=0
while [ $i -lt 80 ]; do
	head -c $i "$T/bi.bin" >"$T/trunc.bin"
	"$K1FW" inspect "$T/trunc.bin" >/dev/null 2>"$T/err"
	r=$?
	[ $r -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] || { trunc_ok=0; echo "# truncation $i: exit $r"; }
	i=$((i + 1))
done
[ $trunc_ok -eq 1 ] && ok "every bootinfo truncation: exit 2, one line" || not_ok "bootinfo truncation handling"
# --- the golden FSBL: flips in each signed region are named, truncations are clean ---
if have_vendor; then
	flip_at() { # $1 offset, $2 expected check name
		cp "$VENDOR/golden/FSBL.bin" "$T/gflip.bin"
		chmod u+w "$T/gflip.bin"
		b=$(od -An -tu1 -j "$1" -N1 "$T/gflip.bin" | tr -d ' ')
		printf "\\$(printf %o $(( (b + 1) % 256 )))" | dd of="$T/gflip.bin" bs=1 seek="$1" conv=notrunc 2>/dev/null
		"$K1FW" verify "$T/gflip.bin" >"$T/vout" 2>&1
		r=$?
		[ $r -eq 1 ] && grep -q "FAIL $2" "$T/vout" || { echo "# flip at $1: exit $r, wanted FAIL $2"; return 1; }
	}
	good=1
	for spec in 0:fsbl.rotpk_hash 255:fsbl.rotpk_hash 256:fsbl.header0.magic 300:fsbl.signature0 \
		696:fsbl.rotpk_hash 768:fsbl.signature0 1800:fsbl.signature0 2815:fsbl.signature0 \
		2816:fsbl.signature0 3071:fsbl.signature0 4064:fsbl.header1.magic 4072:fsbl.header1.imgsize \
		4096:fsbl.signature1 100000:fsbl.signature1 192511:fsbl.signature1 192512:fsbl.signature1 \
		192767:fsbl.signature1; do
		flip_at "${spec%%:*}" "${spec#*:}" || good=0
	done
	[ $good -eq 1 ] && ok "golden FSBL: flips in signed regions fail verify and name the region" ||
		not_ok "golden FSBL flips"
	good=1
	for n in 0 100 256 257 2000 4095 4096 5000 100000 192511 192767; do
		head -c $n "$VENDOR/golden/FSBL.bin" >"$T/gtrunc.bin"
		"$K1FW" verify "$T/gtrunc.bin" >/dev/null 2>"$T/gerr"
		r=$?
		{ [ $r -eq 1 ] || { [ $r -eq 2 ] && [ "$(wc -l <"$T/gerr")" -eq 1 ]; }; } ||
			{ good=0; echo "# FSBL truncated to $n: exit $r"; }
	done
	[ $good -eq 1 ] && ok "golden FSBL truncations: exit 1 or one-line exit 2" || not_ok "golden FSBL truncations"
	good=1
	for m in emmc sd spinor spinand; do
		i=0
		while [ $i -lt 80 ]; do
			head -c $i "$VENDOR/golden/bootinfo_$m.bin" >"$T/gtrunc.bin"
			"$K1FW" inspect "$T/gtrunc.bin" >/dev/null 2>"$T/gerr"
			[ $? -eq 2 ] && [ "$(wc -l <"$T/gerr")" -eq 1 ] || good=0
			i=$((i + 1))
		done
	done
	[ $good -eq 1 ] && ok "every prefix of every golden bootinfo: exit 2, one line" || not_ok "golden bootinfo prefixes"
else
	skip "vendor files absent: golden FSBL flips"
fi
expect_fail 2 "not a K1 artefact" "unknown file" "$K1FW" verify "$T/spl.bin"
expect_fail 2 "unknown command" "unknown command" "$K1FW" frobnicate
for c in build bootinfo fsbl keygen inspect verify; do
	expect_rc 0 "$c --help" "$K1FW" "$c" --help
	grep -q "^usage: k1fw $c" "$T/out" && ok "$c --help prints its usage" || not_ok "$c --help text"
done
done_testing
