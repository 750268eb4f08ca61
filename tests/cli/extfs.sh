# Shared by the tests that flash or image an ext4 rootfs and read it back
# (source after lib.sh; IMG is the rootfs image's size in bytes).

# rootfs_release SIZE: rootfs.ext4 of SIZE made with mkfs.ext4 -d from src
# (src/junk deleted after with debugfs: its blocks free but not zero; the
# source must be e2fsck clean), IMG set, and release rel around it
rootfs_release() {
	mkfs.ext4 -q -F -d src rootfs.ext4 "$1" >mkfs.log 2>&1 || { not_ok "mkfs.ext4 -d"; cat mkfs.log; }
	(cd src && find junk -type f) | sed 's|^|rm /|' >rm.cmds
	debugfs -w -f rm.cmds rootfs.ext4 >debugfs.log 2>&1
	rm -rf src/junk
	e2fsck -fn rootfs.ext4 >fsck.log 2>&1 && ok "the source rootfs is e2fsck clean after the deletions" ||
		{ not_ok "source rootfs not clean"; tail -5 fsck.log | sed 's/^/#   /'; }
	IMG=$(stat -c %s rootfs.ext4)
	make_inputs # keeps our rootfs.ext4
	SOURCE_DATE_EPOCH=1700000000 "$K1FW" bundle --spl spl.bin --keys keys --opensbi fw_dynamic.bin \
		--uboot-bin u-boot-nodtb.bin --dtb k1-x_deb1.dtb --env env.txt --bootfs bootfs.ext4 \
		--rootfs rootfs.ext4 -o rel >/dev/null || not_ok "k1fw bundle"
}

# part DISK NAME OUT: the first $IMG bytes (the filesystem; the partition
# may run to the end of an 8 GiB eMMC) of partition NAME of the GPT disk DISK
part() {
	python3 - "$1" "$2" "$3" "$IMG" <<'PY'
import json, subprocess, sys
img, name, out, fs = sys.argv[1:]
t = json.loads(subprocess.run(["sfdisk", "--json", img], capture_output=True, check=True).stdout)
p = [p for p in t["partitiontable"]["partitions"] if p.get("name") == name][0]
with open(img, "rb") as f, open(out, "wb") as o:
    f.seek(p["start"] * 512)
    o.write(f.read(min(p["size"] * 512, int(fs))))
PY
}

# check_files FS SRC WHAT: FS is e2fsck -fn clean and its /keep holds
# exactly SRC/keep (debugfs rdump; SRC/keep/link a symlink)
check_files() {
	e2fsck -fn "$1" >"$1.fsck" 2>&1 && ok "$3: e2fsck -fn clean" ||
		{ not_ok "$3: e2fsck"; tail -5 "$1.fsck" | sed 's/^/#   /'; }
	rm -rf "$1.d" && mkdir "$1.d"
	debugfs -R "rdump /keep $1.d" "$1" >"$1.dump" 2>&1
	diff -r "$2/keep" "$1.d/keep" >"$1.diff" 2>&1 && [ -L "$1.d/keep/link" ] &&
		ok "$3: every file identical (debugfs rdump)" ||
		{ not_ok "$3: files differ"; head -5 "$1.diff" | sed 's/^/#   /'; }
}
