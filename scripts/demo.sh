#!/bin/sh
# The main job on built-in sample inputs: a fresh key set, a generated
# sample SPL, then bootinfo and FSBL.bin built both by the typed commands and
# by the example recipes, compared, inspected and verified.
set -eu
K1FW=${1:-build/k1fw}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/demo
rm -rf "$out"
mkdir -p "$out"
cp -r "$top/examples/k1-x" "$out/k1-x"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# A stand-in SPL: 64 KiB of a repeating text (the board would need a real one).
yes 'k1fw sample SPL payload' | head -c 65536 >"$out/k1-x/u-boot-spl.bin"

step "$K1FW" keygen -o "$out/k1-x/configs/key"
step "$K1FW" bootinfo --media sd -o "$out/bootinfo_sd.bin"
step "$K1FW" fsbl --spl "$out/k1-x/u-boot-spl.bin" --keys "$out/k1-x/configs/key" -o "$out/FSBL.bin"
step "$K1FW" build -c "$out/k1-x/configs/bootinfo_sd.json" -d "$out/recipe" -o bootinfo_sd.bin
step "$K1FW" build -c "$out/k1-x/configs/fsbl.json" -d "$out/recipe" -o FSBL.bin
step cmp "$out/bootinfo_sd.bin" "$out/recipe/bootinfo_sd.bin"
step cmp "$out/FSBL.bin" "$out/recipe/FSBL.bin"
echo "recipes and typed commands agree byte for byte"
step "$K1FW" inspect "$out/bootinfo_sd.bin" "$out/FSBL.bin"
step "$K1FW" verify --verbose "$out/bootinfo_sd.bin" "$out/FSBL.bin"
echo
echo "demo outputs are in $out"
