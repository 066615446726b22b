#!/bin/sh
# Prepares .gpu/ (git-ignored via .git/info/exclude) for a real-GPU check on a machine without
# Node or npm: the exporter bundle, koffi with its native binary, a compressed node binary, and
# gpu-check.sh. Then, on the GPU machine, from the repo root: bash .gpu/check.sh (results in $OUT).
set -e
cd "$(dirname "$0")/../../.."
sh exporters/gpu/scripts/bundle.sh
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
rm -rf .gpu && mkdir -p .gpu/node_modules/@koromix
cp -r bench/.work/exporter-bundle .gpu/bundle
cp -r node_modules/koffi .gpu/node_modules/
cp -r node_modules/@koromix/koffi-linux-x64 .gpu/node_modules/@koromix/
xz -T2 -6 -c "$(command -v node)" > .gpu/node.xz
cp exporters/gpu/scripts/gpu-check.sh .gpu/check.sh
du -sh .gpu
