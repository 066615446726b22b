#!/bin/sh
# Bundles the exporter CLI, the NVML worker and the compare script into plain ESM (koffi stays
# external) under bench/.work/exporter-bundle: the benchmark runs it without tsx in the process,
# and it can be copied with node_modules/koffi to a GPU machine for a real-NVML check.
set -e
cd "$(dirname "$0")/../../.."
rm -rf bench/.work/exporter-bundle
node_modules/.bin/esbuild scripts/run-cli.ts exporters/gpu/scripts/compare-nvidia-smi.ts exporters/gpu/sources/nvml/nvml-worker.ts \
  --bundle --platform=node --target=node20 --format=esm --splitting --outdir=bench/.work/exporter-bundle \
  --entry-names='[name]' --chunk-names='chunk-[hash]' --external:koffi --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
