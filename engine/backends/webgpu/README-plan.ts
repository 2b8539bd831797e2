/**
 * Not built yet: how a GPU training plan would mirror engine/train/plan.ts, with the whole step
 * on the device. A sketch for the next step of the WebGPU engine; nothing imports this file.
 *
 * Layers
 * - `GpuLayer` mirrors `CpuLayer` (backends/cpu/types.ts): `weights` is the CPU layer's own
 *   (same WeightSpecs, same state_dict names, so checkpoints and exports do not care which
 *   engine trained); `forward(ctx)` and `backward(ctx)` record kernels from kernels/index.ts into
 *   the runner, with GPUBuffers where the CPU has typed arrays, and backward still ADDS.
 * - `gpuLayers: Record<LayerType, GpuLayer | null>`: a missing entry fails tsc; `null` means "not
 *   on the GPU yet", and `auto` then picks the CPU and names the layer in its reason.
 *
 * GpuPlan(model, batch, context) — one per batch size, as on the CPU
 * - Allocates once: each node's output and output gradient, the weights and gradients (uploaded
 *   from Model.weights), optimiser state, and scratch by name. Scratch that only lives inside one
 *   layer's call (im2col columns) is one shared buffer of the largest size, since layers run in
 *   order; scratch kept from forward to backward (argmax, batch-norm statistics) is per layer.
 * - Compiles every program before the first step (`runner.prepare(...webgpuPrograms)`), so a
 *   WGSL error names its kernel before training starts. Shapes are uniforms: a second plan for
 *   the last, partial batch reuses every pipeline.
 * - Because buffers and uniforms are fixed per plan, the step's dispatches (pipeline, bind
 *   group, uniform slot, grid) can be built once and re-encoded each step without allocation.
 *
 * One training step = one submit
 *   runner.write(input, batch images); runner.write(targets, classes)   (checkTargets first)
 *   forward: layers in order
 *   loss: softmaxCrossEntropy → per-sample losses → loss[0]; the head gradient is written, not added
 *   backward: runner.clear(every gradient and output gradient), layers in reverse
 *   optimiser: sgdStep / adamStep per trainable tensor (step count and bias corrections on the host)
 *   submit; read back loss[0] only (4 bytes). To keep the GPU busy, map the loss of step t while
 *   step t + 1 is recorded (a small ring of staging buffers); the divergence check (a non-finite
 *   loss) then lags one step, which the trainer can afford.
 *
 * Around the step
 * - Weights come back to the CPU only for checkpoints, epoch ends and exports; visual snapshots
 *   read single activations by node id (`activation(id)` becomes async).
 * - The trainer races each step against `context.lost`; a lost device stops the job with
 *   DeviceLostError's message, and the run can resume on the CPU from its last checkpoint.
 * - Dropout needs random numbers on the device: a counter-based hash of (seed, step, element)
 *   rather than the CPU's mulberry32 stream, so GPU and CPU runs agree in distribution, not bit
 *   for bit; parity tests run with dropout off, as the PyTorch fixtures do.
 * - Batch norm's statistics are per-channel reductions, the same shape as `biasGradient`.
 * - No kernel uses atomics, so a run on one device is deterministic.
 * - Memory: when the batch's im2col columns would pass maxStorageBufferBindingSize, the plan runs
 *   convolutions in slices of samples (im2col, col2im and the GEMM take offsets for that; the
 *   convolution wrappers would pass them through).
 * - Parity: a test trains the three benchmark models a few steps on both engines and compares
 *   losses and weights, as models.json does for the CPU engine against PyTorch.
 */
export {};
