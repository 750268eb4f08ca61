#!/bin/sh
# Whole outputs against checked-in expectations (tests/cli/expected/, one
# file per command line, compared by expect_output in lib.sh): every
# --help, and inspect, verify --verbose, image --json and doctor of a release
# made from fixed inputs (the test keys in tests/data/test-keys, seeded
# payloads, a synthetic SPL, SOURCE_DATE_EPOCH), so every run sees the same
# bytes. After an intended change of an output (a help text, a new field),
# rewrite the files with `make update-expected` (that is
# K1FW_UPDATE_EXPECTED=1 sh tests/cli/test_expected.sh), check `git diff
# tests/cli/expected` and commit them with the change.
. "$(dirname "$0")/lib.sh"
need_tools "expected-output tests" "device-tree-compiler, python3" dtc python3
cd "$T" || exit 2

# ---- every --help: the tool's and each command's ----
expect_output help.txt 0 "$K1FW" --help
for c in $("$K1FW" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }'); do
	expect_output "help-$c.txt" 0 "$K1FW" "$c" --help
done

# ---- a release from fixed inputs ----
cp -r "$TOP/tests/data/test-keys" keys
# stored as .pem so they are never taken for the vendor's key files; fsbl --keys wants *.key
for k in keys/*.pem; do mv "$k" "${k%.pem}.key"; done
make_inputs
seeded_bytes 100000 spl >spl.bin # never the vendor's: the same SPL everywhere
expect_output bundle.txt 0 env SOURCE_DATE_EPOCH=1700000000 "$K1FW" bundle --spl spl.bin \
	--keys keys --opensbi fw_dynamic.bin --uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb \
	--env env.txt --bootfs bootfs.ext4 --rootfs rootfs.ext4 -o rel

# ---- inspect and verify --verbose of each artefact ----
for f in factory/bootinfo_sd.bin:bootinfo factory/FSBL.bin:fsbl u-boot.itb:fit-uboot \
	fw_dynamic.itb:fit-opensbi env.bin:env partition_universal.json:ptable; do
	expect_output "inspect-${f#*:}.txt" 0 "$K1FW" inspect "rel/${f%%:*}"
	expect_output "verify-verbose-${f#*:}.txt" 0 "$K1FW" verify --verbose "rel/${f%%:*}"
done
expect_output inspect-fsbl.json 0 "$K1FW" inspect --json rel/factory/FSBL.bin
flip rel/factory/FSBL.bin 0x2000 bad_fsbl.bin
expect_output verify-damaged-fsbl.txt 1 "$K1FW" verify bad_fsbl.bin

# ---- image --json, and the card it writes ----
expect_output image-sd.json 0 "$K1FW" image --bundle rel --media sd -o sd.img --json
expect_output image-emmc.json 0 "$K1FW" image --bundle rel --media emmc -o emmc.img --json
expect_output inspect-disk.txt 0 "$K1FW" inspect sd.img
expect_output verify-verbose-disk.txt 0 "$K1FW" verify --verbose sd.img

# ---- doctor: the card boots, an empty board does not ----
expect_output doctor-sd.txt 0 "$K1FW" doctor --sd sd.img
expect_output doctor-sd.json 0 "$K1FW" doctor --json --sd sd.img
expect_output doctor-emmc.txt 0 "$K1FW" doctor --emmc-boot0 boot0.img --emmc-user emmc.img
mkdir empty_board
expect_output doctor-empty-board.txt 1 "$K1FW" doctor --board empty_board
done_testing
