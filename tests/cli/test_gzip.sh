#!/bin/sh
# k1fw flash --gzip (issue 18 §2): a 100 MiB ext4 rootfs, nearly full of
# text that compresses well, with 8 MiB of files written then deleted
# (debugfs), goes as gzip slices that vendor U-Boot inflates and writes one
# after the other. Flashed into `k1fw emulate` (vendor 1.0.15 and k1-bl-v2:
# they inflate), the partition is e2fsck clean with every file identical;
# into 1.0beta (no gzip check) it lands as compressed garbage, which the
# plan warns of. The emulator's inflate limit (max-download-size) is a FAIL.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 2
need_tools "gzip flash tests" "e2fsprogs, fastboot, fdisk" mkfs.ext4 debugfs e2fsck fastboot sfdisk
. "$TOP/tests/cli/emu.sh"

# text IN OUT: lines that deflate about 8:1 (a log, a man page)
text() { python3 -c 'import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as f:
    i = 0
    while f.tell() < n:
        f.write("%s line %08d: the quick brown fox jumps over the lazy dog %d\n" % (sys.argv[2], i, i * i % 977)); i += 1' "$1" "$2"; }
mkdir -p src/keep/sub src/junk
for i in 1 2 3 4; do text $((19 * 1048576)) src/keep/t$i; done
for i in 1 2; do seeded_bytes $((i * 1000000)) "gzkeep$i" >src/keep/r$i; done
printf 'hello\n' >src/keep/sub/hello.txt
ln -s t1 src/keep/link
for i in 1 2; do seeded_bytes 4194304 "gzjunk$i" >src/junk/j$i; done
. "$TOP/tests/cli/extfs.sh"
rootfs_release 100M

# ev EVENTS PART KEY: KEY of PART's begin event (--json), or the sum of its end events' bytes
ev() {
	python3 -c 'import json,sys
evs = [e for e in map(json.loads, open(sys.argv[1])) if e.get("partition") == sys.argv[2]]
if sys.argv[3] == "sent":
    print(sum(e.get("bytes", 0) for e in evs if e["event"] == "end"))
else:
    print([e for e in evs if e["event"] == "begin"][0].get(sys.argv[3], ""))' "$1" "$2" "$3"
}

# ---- --dry-run: the decision per partition, and the assumption ----
expect_rc 0 "flash --gzip --dry-run" "$K1FW" flash --bundle rel --dry-run --gzip
grep -q "^# --gzip assumes a vendor U-Boot that inflates gzip downloads (v1.0.15, k1-bl-v2)" out &&
	ok "the plan says gzip assumes a vendor U-Boot that inflates" || not_ok "no assumption in the plan"
grep -q "^# rootfs: $IMG bytes, [0-9]* to send (gzip: 1 slice, [0-9.]* MiB (sparse would send [0-9.]* MiB))" out &&
	ok "--dry-run: rootfs goes as gzip (one 256 MiB slice), with what sparse would send" ||
	{ not_ok "dry-run rootfs line"; grep rootfs out | sed 's/^/#   /'; }
grep -q "^# env: .*no gzip: U-Boot reads this partition raw" out &&
	ok "--dry-run: env is never gzip" || { not_ok "dry-run env line"; grep '# env' out | sed 's/^/#   /'; }
expect_rc 0 "flash --gzip --dry-run --media spinor" "$K1FW" flash --bundle rel --dry-run --gzip --media spinor
grep -q "^# --gzip: nothing goes as gzip: only the eMMC" out && ! grep -q "(gzip: " out &&
	ok "SPI flash: nothing as gzip, and the plan says why" || { not_ok "spinor dry run"; grep '^#' out | sed 's/^/#   /'; }
expect_rc 0 "flash --dry-run (no --gzip)" "$K1FW" flash --bundle rel --dry-run
! grep -q "gzip" out && ok "without --gzip nothing is gzip" || not_ok "gzip without --gzip"

# ---- into the emulator: vendor 1.0.15 and k1-bl-v2 inflate ----
for ub in 1.0.15 k1-bl-v2; do
	mkdir "$ub"
	start_emu "$ub" --board "$ub" --uboot-version "$ub" --max-download-size 4M
	"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 30 --io-timeout 120 --json --gzip \
		--no-reboot >"$ub.json" 2>"$ub.err" && ok "$ub: k1fw flash --gzip" ||
		{ not_ok "$ub: k1fw flash --gzip"; tail -3 "$ub.err" | sed 's/^/#   /'; }
	stop_emu
	part "$ub/emmc-user.img" rootfs "$ub.rootfs"
	check_files "$ub.rootfs" src "$ub: flash --gzip"
done
SENT=$(ev 1.0.15.json rootfs sent) BEGIN=$(ev 1.0.15.json rootfs bytes) WHY=$(ev 1.0.15.json rootfs why)
echo "# rootfs: image $IMG bytes, $SENT on the wire; $WHY"
case $WHY in "gzip: 26 slices, "*" MiB (sparse would send "*) ok "--json: rootfs's why: 26 gzip slices of 4 MiB" ;;
*) not_ok "rootfs why: $WHY" ;; esac
[ "$SENT" = "$BEGIN" ] && ok "the begin event's bytes ($BEGIN) are what went on the wire" ||
	not_ok "begin said $BEGIN, $SENT went"
[ "$SENT" -gt 0 ] && [ "$SENT" -lt $((IMG / 4)) ] &&
	ok "compressed on the wire: $SENT bytes for a $IMG-byte image nearly full of text" ||
	not_ok "$SENT bytes sent for rootfs"
grep '"event":"note"' 1.0.15.json | grep -q '"rootfs: unverified: sent as gzip slices' &&
	ok "the note says a gzip step's OKAY does not prove inflation" || not_ok "no gzip note"
grep '"event":"begin"' 1.0.15.json | grep '"partition":"bootfs"' | grep -q '"why":"ext4.*; gzip: .*slower' &&
	ok "bootfs (mostly free): sparse, gzip would be slower" ||
	{ not_ok "bootfs decision"; grep '"begin"' 1.0.15.json | grep bootfs | sed 's/^/#   /'; }

# ---- a rerun in the same U-Boot session: the offset is reset first ----
# rel, then rel2 (its rootfs has one file more); without the reset rel2's
# slices would land after rel's, which the partition would still hold
mkdir -p src2/keep && cp -a src/keep/. src2/keep/ && text 300000 src2/keep/added
mkfs.ext4 -q -F -d src2 rootfs2.ext4 100M >mkfs2.log 2>&1
cp -a rel rel2 && cp rootfs2.ext4 rel2/rootfs.ext4 && resum rel2
start_emu again --board 1.0.15 --max-download-size 4M
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 30 --json --gzip --only rootfs \
	--no-reboot >again1.json 2>again.err &&
	"$K1FW" flash --bundle rel2 -s "tcp:127.0.0.1:$PORT" --timeout 30 --json --gzip --only rootfs \
		--no-reboot >again2.json 2>>again.err && ok "--gzip --only rootfs of rel, then of rel2, in one U-Boot session" ||
	{ not_ok "gzip reruns"; tail -3 again.err | sed 's/^/#   /'; }
stop_emu
part 1.0.15/emmc-user.img rootfs again.rootfs
check_files again.rootfs src2 "rerun in the same session"

# ---- 1.0beta does not inflate: the compressed bytes land raw ----
mkdir beta
start_emu beta --board beta --uboot-version 1.0beta --max-download-size 4M
"$K1FW" flash --bundle rel -s "tcp:127.0.0.1:$PORT" --timeout 30 --json --gzip --no-reboot \
	>beta.json 2>beta.err && ok "1.0beta answers OKAY to the gzip slices too" ||
	{ not_ok "1.0beta flash"; tail -3 beta.err | sed 's/^/#   /'; }
stop_emu
grep '"event":"plan"' beta.json | grep -q 'assumes a vendor U-Boot that inflates' &&
	ok "the run's plan event says what --gzip assumes" || not_ok "no plan event with the assumption"
part beta/emmc-user.img rootfs beta.rootfs
! e2fsck -fn beta.rootfs >beta.fsck 2>&1 && ok "1.0beta: rootfs is no filesystem (the docs' warning is real)" ||
	not_ok "1.0beta: e2fsck passed on compressed bytes"

# ---- the emulator's inflate limit: max-download-size ----
python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.compress(bytes(int(sys.argv[1])), mtime=0))' 4194304 >fits.gz
python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.compress(bytes(int(sys.argv[1])), mtime=0))' 4198400 >over.gz
start_emu lim --board 1.0.15 --uboot-only --max-download-size 4M
rm -f fb.log
fb flash gpt rel/partition_universal.json && fb flash rootfs fits.gz && ok "a gzip inflating to max-download-size: OKAY" || { not_ok "fits.gz"; tail -3 fb.log; }
fb flash rootfs over.gz; grep -q "unzip gzip data fail" fb.log &&
	ok "one block more: FAIL unzip gzip data fail" || { not_ok "over.gz"; tail -3 fb.log | sed 's/^/#   /'; }
# a board whose table has a smaller rootfs than the release's (--only
# rootfs): 1.0.15 checks each slice, not where it ends, so k1fw must
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
for p in t["partitions"]:
    if p["name"] == "rootfs":
        p["size"] = "64M"
json.dump(t, open(sys.argv[2], "w"), indent=1)' rel/partition_universal.json small.json
fb flash gpt small.json || not_ok "flash gpt small.json"
expect_rc 1 "--gzip of a 100 MiB rootfs into a 64 MiB partition fails" "$K1FW" flash --bundle rel \
	-s "tcp:127.0.0.1:$PORT" --timeout 30 --gzip --only rootfs --no-reboot
grep -q "larger than partition rootfs (67108864 bytes); U-Boot does not check where gzip slices end" err &&
	ok "... before anything is sent, saying why" || { not_ok "too large message"; tail -2 err | sed 's/^/#   /'; }
stop_emu
done_testing
