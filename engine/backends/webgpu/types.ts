/**
 * Shared declarations of the WebGPU backend.
 *
 * The WebGPU types (`GPUDevice`, `GPUBuffer`, …) come from `@webgpu/types`, which the `webgpu`
 * package (Dawn for Node) depends on. The project's tsconfig lists only Node's types, so this
 * file pulls them in for every module of the backend that imports from it.
 *
 * The numeric flags below are fixed by the WebGPU specification. They are written out here
 * rather than read from the `GPUBufferUsage` / `GPUMapMode` / `GPUShaderStage` globals, because
 * under Node those globals exist only after the `webgpu` package's `globals` were installed,
 * and the engine must not depend on who did that.
 */
/// <reference types="@webgpu/types" />

/** GPUBufferUsage, https://www.w3.org/TR/webgpu/#buffer-usage */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** GPUMapMode, https://www.w3.org/TR/webgpu/#typedefdef-gpumapmodeflags */
export const MapMode = { READ: 0x0001, WRITE: 0x0002 } as const;

/** GPUShaderStage, https://www.w3.org/TR/webgpu/#typedefdef-gpushaderstageflags */
export const ShaderStage = { COMPUTE: 0x0004 } as const;

/** What the kernels read and write: float32 data (and int32 for class targets and argmax). */
export type GpuData = Float32Array | Int32Array | Uint32Array;
