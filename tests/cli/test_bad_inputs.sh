#!/bin/sh
# Every command through the same matrix of bad inputs and bad outputs
# (issue 12): a nonexistent input, a folder for a file, an empty, truncated
# and corrupted input, an output that is an input, an output through a
# symlink, an output in a missing or (as nobody) unwritable folder, a
# character device, a loop block device, and SIGINT at a seeded moment. For
# each: the exit code, exactly one error line on stderr, no file left that
# was not there, every input's SHA-256 unchanged.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
LOOP= EPID=
trap '[ -n "$EPID" ] && kill "$EPID" 2>/dev/null; [ -n "$LOOP" ] && losetup -d "$LOOP"; rm -rf "$T"' EXIT INT TERM
. "$TOP/tests/cli/emu.sh"

# ---- the fixture: W holds every input; nothing else may appear in it ----
W=$T/w
mkdir -p "$W/tmp" && cd "$W" || exit 2
export TMPDIR="$W/tmp" # a release zip's scratch folder lands in W too
ROOTFS_BYTES=2097152 make_inputs
cp -r "$TOP/examples/k1-x" ex && cp -r keys ex/configs/key && cp spl.bin ex/u-boot-spl.bin
"$K1FW" fsbl --spl spl.bin --keys keys -o FSBL.bin
"$K1FW" env -i env.txt -o env.bin
"$K1FW" eeprom build -o eeprom.bin product_name=k1-x_deb1 ddr_cs_num=2 >/dev/null
"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb k1-x_deb1.dtb -o u-boot.itb
"$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin --uboot u-boot.itb \
	--env env.txt --rootfs rootfs.ext4 -o rel >/dev/null
cp -r rel relf # flash's copy: its u-boot.itb is the input damaged
# the bundle's table with rootfs at 5M instead of 260M: a 7 MiB SD image,
# so that hashing every input after every case stays quick
python3 - rel/partition_universal.json table.json <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for p in t["partitions"]:
    if p["name"] == "bootfs": p.update(offset="4M", size="1M")
    if p["name"] == "rootfs": p.update(offset="5M")
json.dump(t, open(sys.argv[2], "w"), indent=4)
PY
"$K1FW" image --bundle rel --table table.json --media sd -o sd.img >/dev/null
mkdir board ro
start_emu "$T/e0" --board board && stop_emu # the board's storage files, made once
[ -f sd.img ] && [ -f rel/factory/FSBL.bin ] && ok "fixture: inputs, a release and an SD image" ||
	not_ok "fixture"
chmod 755 "$T" && chmod -R a+rX "$W" # nobody reads what the unwritable-folder case needs

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then AS_NOBODY=yes; else AS_NOBODY=; fi
if [ "$(id -u)" = 0 ] && command -v losetup >/dev/null && truncate -s 300M "$T/card.bin" &&
	LOOP=$(losetup -f --show "$T/card.bin" 2>/dev/null); then :; else
	LOOP=
	echo "# SKIP: losetup unavailable (not root, or no loop devices): no block-device cases" >&2
fi

# ---- the commands: name|input|output kind|exits|corrupt at|command ----
# exits: for a missing input, a folder for it, empty, truncated, corrupted
# ("-": the case does not apply). $IN is the input the cases damage (in
# place; restored after each case), $OUT the output. An input that is opaque
# bytes (an SPL, OpenSBI, env text) builds fine truncated or corrupted:
# exit 0 there. corrupt at: the byte inverted (empty: a seeded one in the
# middle half, where these files hold data). The fixture's SD image has no
# bootfs, so doctor finds that it does not boot (exit 1) whole or damaged: a
# damaged image must give that verdict too, not an input error (2).
cat >"$T/rows" <<'ROWS'
build|ex/configs/fsbl.json|file|2 2 2 2 2||"$K1FW" build -c "$IN" -o "$OUT"
bootinfo||file|- - - - -||"$K1FW" bootinfo --media sd -o "$OUT"
fsbl|spl.bin|file|2 2 2 0 0||"$K1FW" fsbl --spl "$IN" --keys keys -o "$OUT"
keygen||folder|- - - - -||"$K1FW" keygen -o "$OUT"
inspect|u-boot.itb|none|2 2 2 2 0||"$K1FW" inspect "$IN"
verify-fsbl|FSBL.bin|none|2 2 2 1 1||"$K1FW" verify "$IN"
verify-fit|u-boot.itb|none|2 2 2 1 1||"$K1FW" verify "$IN"
verify-env|env.bin|none|2 2 2 1 1||"$K1FW" verify "$IN"
verify-sd|sd.img|none|2 2 2 1 1|1040|"$K1FW" verify "$IN"
env|env.txt|file|2 2 0 0 0||"$K1FW" env -i "$IN" -o "$OUT"
fit-opensbi|fw_dynamic.bin|file|2 2 2 0 0||"$K1FW" fit opensbi --in "$IN" -o "$OUT"
fit-uboot|k1-x_deb1.dtb|file|2 2 2 2 2|4|"$K1FW" fit uboot --in u-boot-nodtb.bin --dtb "$IN" -o "$OUT"
fit-set-memory|u-boot.itb|file|2 2 2 2 2||"$K1FW" fit set-memory "$IN" --memory 4G -o "$OUT"
bundle|u-boot.itb|folder|2 2 2 2 2||"$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin --uboot "$IN" --rootfs rootfs.ext4 -o "$OUT"
image|table.json|file|2 2 2 2 2||"$K1FW" image --bundle rel --table "$IN" --media sd -o "$OUT"
flash|relf/u-boot.itb|none|2 2 2 2 2||"$K1FW" flash --bundle relf --dry-run
fastboot|u-boot.itb|none|2 2 2 - -||"$K1FW" fastboot -s tcp:127.0.0.1:1 --timeout 0.2 stage "$IN"
doctor|sd.img|none|2 2 1 1 1|16|"$K1FW" doctor --sd "$IN"
eeprom-build||file|- - - - -||"$K1FW" eeprom build -o "$OUT" product_name=k1-x_deb1
eeprom-set|eeprom.bin|file|2 2 2 1 1|12|"$K1FW" eeprom set --file "$IN" -o "$OUT" ddr_cs_num=1
emulate|board/emmc-user.img|file|- - - - -||"$K1FW" emulate --board board --listen 127.0.0.1:0 --ready-file "$OUT"
ROWS

field() { echo "$1" | cut -d'|' -f"$2"; }
# listing: every path under W (what may not change), with sizes for files
listing() { find "$W" -mindepth 1 ! -path "$W/tmp" | sort; }
inputs_sum() { # the row's inputs, named or inside a named folder
	find "$W" -mindepth 1 -type f ! -path "$W/tmp/*" ! -path "$W/board/*" -exec sha256sum {} + | sort
}
SEED=${K1FW_TEST_SEED:-12}
# rand N: R = the next of a seeded sequence, 0..N-1 (not in $(...): SEED must move on)
rand() { SEED=$(((SEED * 1103515245 + 12345) % 2147483648)); R=$((SEED / 65536 % $1)); }

# check NAME CASE WANT PATTERN: after run, the exit code, one stderr line
# (matching PATTERN) when it failed with 2, and W as before.
check() {
	n=$1 c=$2 want=$3 pat=$4
	lines=$(wc -l <"$T/err" | tr -d ' ')
	problem=
	[ "$rc" = "$want" ] || problem="exit $rc, wanted $want"
	if { [ "$want" = 2 ] || { [ "$want" = 130 ] && [ -n "$pat" ]; }; } &&
		{ [ "$lines" != 1 ] || ! grep -Eq -- "$pat" "$T/err"; }; then
		problem="${problem:+$problem; }stderr is $lines lines, wanted one matching '$pat'"
	fi
	[ "$want" = 1 ] && [ "$lines" -gt 1 ] && problem="${problem:+$problem; }stderr is $lines lines"
	[ "$(listing)" = "$before" ] || problem="${problem:+$problem; }files appeared or vanished: $(listing | diff - "$T/before.ls" | grep '^[<>]' | head -3 | tr '\n' ' ')"
	[ "$(inputs_sum)" = "$sums" ] ||
		problem="${problem:+$problem; }an input changed: $(inputs_sum | diff - "$T/before.sum" | grep '^[<>]' | head -2 | tr '\n' ' ')"
	if [ -z "$problem" ]; then ok "$n: $c"; else
		not_ok "$n: $c ($problem)"; sed 's/^/#   /' "$T/err" | head -3; fi
}
# handler_set PID: wait until k1fw catches SIGINT (SigCgt bit 2), so that the
# seeded delay counts from inside the run, whatever the machine's load
handler_set() {
	i=0
	while [ $i -lt 400 ] && v=$(awk '/^SigCgt/ { print $2 }' "/proc/$1/status" 2>/dev/null) &&
		[ -n "$v" ] && [ $((0x$v & 2)) = 0 ]; do
		sleep 0.01; i=$((i + 1))
	done
}
# complete OUT: an output that is whole (verifies, or its folder is)
complete() {
	if [ -f "$1/SHA256SUMS" ]; then (cd "$1" && sha256sum -c --quiet SHA256SUMS >/dev/null)
	elif [ -d "$1" ]; then [ "$(ls "$1" | wc -l)" = 10 ]
	elif [ "$name" = emulate ]; then grep -q '^127.0.0.1:[0-9]' "$1"
	else "$K1FW" verify "$1" >/dev/null 2>&1; fi
}
snapshot() { before=$(listing); listing >"$T/before.ls"; sums=$(inputs_sum); inputs_sum >"$T/before.sum"; }
go() { (eval "$cmd") </dev/null >"$T/out" 2>"$T/err"; rc=$?; }
# damage IN in place (saved to restore): missing, dir, empty, trunc, corrupt
damage() {
	cp -a "$IN" "$T/saved"
	case $1 in
	missing) rm -f "$IN" ;;
	dir) rm -f "$IN" && mkdir "$IN" ;;
	empty) : >"$IN" ;;
	trunc) size=$(stat -c %s "$T/saved") && truncate -s $((size / 2)) "$IN" ;;
	corrupt) # the byte at $2 (or a seeded offset in the middle half), inverted
		size=$(stat -c %s "$T/saved")
		rand $((size / 2 + 1)); at=${2:-$((size / 4 + R))}
		python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0xFF]))' "$IN" "$at" ;;
	esac
}
restore() { rm -rf "$IN" && cp -a "$T/saved" "$IN" && rm -rf "$T/saved"; }

interrupted=0
while IFS= read -r row <&3; do
	name=$(field "$row" 1) input=$(field "$row" 2) kind=$(field "$row" 3)
	codes=$(field "$row" 4) corrupt_at=$(field "$row" 5) cmd=$(field "$row" 6-)
	OUT=$W/out.$name IN=$input
	# --- the inputs ---
	set -- $codes
	for c in missing dir empty trunc corrupt; do
		want=$1; shift
		[ "$want" = - ] && continue
		damage $c $corrupt_at; snapshot; go
		if [ "$rc" = 0 ]; then # an opaque input built fine: its output goes
			rm -rf "$OUT"; before=$(listing)
		fi
		check "$name" "$c input" "$want" "$input|No such|folder|empty|not|expected|truncated|FAIL|verify|cannot|invalid|unsound|missing|bytes"
		restore
	done
	[ "$kind" = none ] && continue
	# --- the outputs ---
	snapshot
	if [ -n "$input" ]; then
		OUT=$W/$input; go
		check "$name" "output is the input" 2 "is one of the inputs|already exists"
	fi
	if [ "$name" != emulate ]; then
		OUT=$W/link.$name; ln -s "target.$name" "$OUT"; snapshot; go
		if [ "$rc" = 0 ] && [ -L "$OUT" ] && [ -e "$W/target.$name" ] && [ "$(readlink "$OUT")" = "target.$name" ]; then
			ok "$name: output through a symlink is written through, the link stays"
		else not_ok "$name: output through a symlink (exit $rc)"; sed 's/^/#   /' "$T/err" | head -3; fi
		rm -rf "$OUT" "$W/target.$name"
	fi
	snapshot
	OUT=$W/nosuch/out; go; check "$name" "output in a missing folder" 2 "does not exist"
	if [ -n "$AS_NOBODY" ]; then
		OUT=$W/ro/out
		cmd="setpriv --reuid=nobody --regid=nogroup --clear-groups $cmd" go
		check "$name" "output in an unwritable folder (as nobody)" 2 "cannot write in the folder"
	else
		skip "$name: unwritable folder needs root and setpriv"
	fi
	OUT=/dev/null; go
	[ -c /dev/null ] && check "$name" "output a character device" 2 "character device" ||
		not_ok "$name: /dev/null is no longer a character device"
	if [ -n "$LOOP" ] && [ "$name" != image ]; then
		OUT=$LOOP; go; check "$name" "output a block device" 2 "block device"
	fi
	# --- SIGINT at a seeded moment: done, or interrupted with nothing left ---
	OUT=$W/sig.$name
	snapshot
	rand 40; delay=$R
	# sh starts a background job with SIGINT ignored: env gives k1fw the default
	eval "env --default-signal=INT $cmd </dev/null >\"\$T/out\" 2>\"\$T/err\" &"
	pid=$!
	handler_set "$pid"
	sleep "$(printf '0.%03d' "$delay")"
	kill -INT "$pid" 2>/dev/null
	wait "$pid"; rc=$?
	if [ "$rc" = 130 ] && [ ! -s "$T/err" ]; then # killed before k1fw set its handler
		check "$name" "SIGINT before k1fw took it: nothing left" 130 ""
	elif [ "$rc" = 130 ]; then
		interrupted=$((interrupted + 1))
		# the signal may come after the rename: then the output is whole
		[ -e "$OUT" ] && ! ls -a "$W" | grep -q 'tmp-' && complete "$OUT" && rm -rf "$OUT"
		check "$name" "SIGINT ${delay} ms into the run: exit 130, one line, nothing half-written" 130 "interrupted by SIGINT"
	else # it had finished (emulate: stopped cleanly): its output goes
		rm -rf "$OUT"; before=$(listing)
		check "$name" "SIGINT ${delay} ms into the run: it had finished (or stopped cleanly)" 0 ""
	fi
done 3<"$T/rows"
echo "# SIGINT: $interrupted commands were interrupted mid-run (the others had finished or not begun)"

cd "$W" || exit 2
# ---- cases the matrix names one by one (issue 12 items 1, 4, 5) ----
snapshot
OUT= IN=
cmd='"$K1FW" fsbl --spl spl.bin --keys keys -o keys/rsakeypair0_prv.key'; go
check fsbl "output is the root signing key" 2 "is one of the inputs"
cmd='"$K1FW" build -c ex/configs/fsbl.json -o ex/u-boot-spl.bin'; go
check build "output is a file the recipe reads" 2 "is one of the inputs"
cmd='"$K1FW" env -i ./x/../env.txt -o env.txt'; mkdir x; snapshot; go
check env "output is the input through .." 2 "is one of the inputs"
ln -s env.txt envlink; snapshot
cmd='"$K1FW" env -i envlink -o env.txt'; go
check env "output is the input through a symlink" 2 "is one of the inputs"
rm -rf x envlink; snapshot
cmd='"$K1FW" image --bundle rel --media sd --part rootf=rootfs.ext4 -o img.out'; go
check image "--part with a name the table lacks" 2 "--part rootf: .* has no partition of that name"
for o in "--spl1 0x20000" "--spl0 0" "--page-size 0"; do
	cmd="\"\$K1FW\" bootinfo --media sd $o -o bi.out"; go
	check bootinfo "$o (verify would fail it) is refused" 2 "^k1fw: --"
done
cmd='"$K1FW" doctor --board nosuch'; go; check doctor "--board nosuch" 2 "no such folder"
cmd='"$K1FW" doctor --board rel --sd sd.img'; go; check doctor "--board with --sd" 2 "leave out"
cmd='"$K1FW" verify'; go; check verify "no file: one line, not the usage" 2 "missing FILE"
cmd='"$K1FW" bootinfo --media'; go; check bootinfo "option without its value: one line" 2 "missing value"
cmd='"$K1FW" devices'; go
[ "$rc" = 0 ] && [ -s "$T/out" ] && ok "devices: nothing found is said" || not_ok "devices printed nothing (exit $rc)"
for n in 300 4096; do
	head -c $n FSBL.bin >cut.bin; snapshot
	cmd='"$K1FW" verify cut.bin'; go
	check verify "an FSBL cut to $n bytes: a recognised file failing a check" 1 ""
	grep -q "FAIL" "$T/out" || not_ok "verify of $n bytes prints no FAIL line"
	rm cut.bin
done
cp u-boot.itb bad.itb && python3 - bad.itb <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"\xd0\x0d\xfe\xed", 4)  # the first device tree inside the FIT
d[i + 200] ^= 0xFF
open(sys.argv[1], "wb").write(d)
PY
snapshot
cmd='"$K1FW" fit set-memory bad.itb --memory 4G -o fixed.itb'; go
check fit-set-memory "a FIT whose dtb no longer matches its hash is not rewritten" 2 "verify"
rm -f bad.itb
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out eckeys.pem 2>/dev/null
cp -r keys eckeys && cp eckeys.pem eckeys/spl_pubkey_prv.key
openssl pkey -in keys/spl_pubkey_prv.key -aes256 -passout pass:x -out enckeys.pem 2>/dev/null
cp -r keys enckeys && cp enckeys.pem enckeys/spl_pubkey_prv.key
snapshot
cmd='"$K1FW" fsbl --spl spl.bin --keys eckeys -o f.bin'; go
check fsbl "an EC key" 2 "eckeys/spl_pubkey_prv.key: EC key: the FSBL needs RSA-2048$"
cmd='"$K1FW" fsbl --spl spl.bin --keys enckeys -o f.bin'; go
check fsbl "an encrypted key" 2 "enckeys/spl_pubkey_prv.key: encrypted PEM key: k1fw needs it unencrypted$"
cmd='"$K1FW" env -i nosuch -o e.bin'; go
check env "a missing input is named once" 2 "^k1fw: nosuch: cannot open: No such file or directory$"
cp u-boot.itb ubad.itb && python3 -c 'import os, sys; f=open(sys.argv[1],"r+b"); f.seek(os.path.getsize(sys.argv[1]) // 2); f.write(b"\0"*64)' ubad.itb
snapshot
cmd='"$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin --uboot ubad.itb -o rel2'; go
check bundle "a damaged --uboot is named as given" 2 "^k1fw: ubad.itb: verify failed"
rm -rf eckeys enckeys eckeys.pem enckeys.pem ubad.itb rel2
snapshot
cmd='"$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin --uboot u-boot.itb -o rel2/'; go
[ "$rc" = 0 ] && [ -f rel2/SHA256SUMS ] && ok "bundle -o rel2/ (trailing slash, as in the README)" ||
	not_ok "bundle -o rel2/ (exit $rc): $(cat "$T/err")"
rm -rf rel2

# keygen: all keys or none, whenever the signal comes
all_or_none=0
for i in 1 2 3 4; do
	rand 1500; d=$R
	env --default-signal=INT "$K1FW" keygen -o kg >/dev/null 2>&1 &
	pid=$!; handler_set "$pid"; sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"; kill -INT "$pid" 2>/dev/null; wait "$pid"
	n=$(ls kg 2>/dev/null | wc -l)
	{ [ "$n" = 0 ] || [ "$n" = 10 ]; } && [ -z "$(ls -a | grep tmp-)" ] && all_or_none=$((all_or_none + 1))
	rm -rf kg
done
[ "$all_or_none" = 4 ] && ok "keygen interrupted at 4 seeded moments: all keys or none, no temporary folder" ||
	not_ok "keygen left part of a key set ($all_or_none of 4 clean)"

# flash interrupted by a signal prints the --only resume line, as for a lost board
# (the board stalls on its 22nd command, flash:env, and flash is interrupted there)
mkdir "$T/fb" && start_emu "$T/fb" --board "$T/fb" --max-download-size 4M --fault-stall-cmd 22 --fault-stall-ms 20000
env --default-signal=INT "$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 5 </dev/null >"$T/out" 2>"$T/err" &
pid=$!
cmds() { grep -E '^k1fw emulate: \[[a-z-]+\] ' "$T/fb.log" | grep -vc -- '->'; }
i=0; until [ "$(cmds)" -ge 22 ] || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT "$pid"; wait "$pid"; rc=$?
stop_emu
[ "$rc" = 130 ] && grep -q "interrupted by SIGINT" "$T/err" &&
	grep -q "resume with: k1fw flash --bundle rel -s tcp:127.0.0.1:$PORT --only env,opensbi,uboot,rootfs" "$T/err" &&
	ok "flash interrupted in env: exit 130 and the --only resume line" ||
	{ not_ok "flash interrupted (exit $rc)"; sed 's/^/#   /' "$T/err" | head -4; }
done_testing
