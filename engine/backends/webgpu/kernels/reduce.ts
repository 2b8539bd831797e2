/**
 * A workgroup-wide sum, shared by the kernels that reduce (bias and depthwise weight gradients,
 * batch-norm statistics, the loss). Include `REDUCE_WGSL` in a program's declarations and use a
 * REDUCE_THREADS-thread workgroup.
 *
 * 64 threads, not 256: each barrier of the tree costs a context switch per group of invocations
 * on software adapters (SwiftShader), where 256-thread reductions ran 20× slower than 64-thread
 * ones (LeNet's bias gradients: 352 ms against 15 ms a step); on hardware 64 threads are one or
 * two SIMD groups, and each thread's strided loop does the bulk of the sum either way.
 *
 * `workgroupSum(lindex, value)` returns the sum of `value` over the workgroup to every thread.
 * It contains barriers, so every thread of the workgroup must call it (uniform control flow).
 * The order of the additions is a tree, not the CPU's left-to-right loop: results agree to
 * rounding, not bit for bit.
 */
export const REDUCE_THREADS = 64;

export const REDUCE_WGSL = /* wgsl */ `
var<workgroup> partial: array<f32, ${REDUCE_THREADS}>;
fn workgroupSum(lindex: u32, value: f32) -> f32 {
  partial[lindex] = value;
  workgroupBarrier();
  for (var stride = ${REDUCE_THREADS / 2}u; stride > 0u; stride = stride >> 1u) {
    if (lindex < stride) {
      partial[lindex] = partial[lindex] + partial[lindex + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}`;
