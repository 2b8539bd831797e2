/**
 * WGSL programs as declarative objects, their generated prelude, and a pipeline cache.
 *
 * A kernel is a `WgslProgram`: its name, workgroup size, storage bindings, uniform fields and
 * the body of `main`. `wgslSource` writes the rest (the uniform struct, the bindings, the entry
 * point and its built-ins), so a kernel's file holds only its arithmetic. Shapes, strides,
 * padding and dilation are uniforms: a new batch size or layer geometry reuses the pipeline.
 *
 * The cache is keyed by the full generated source, so anything that changes the code (a
 * constant baked into a variant) makes a new pipeline and nothing else does. Each module and
 * pipeline is labelled with the kernel's name and created inside a validation error scope;
 * compile errors are reported as "kernel gemm: WGSL line 42: …" with that line quoted.
 */
import { ShaderStage } from './types';

export type UniformType = 'u32' | 'i32' | 'f32';
export type ElementType = 'f32' | 'i32' | 'u32';

export interface WgslBinding {
  /** The variable's name in the WGSL body; also the key of the buffer handed to `dispatch`. */
  readonly name: string;
  /** 'read' for inputs, 'read_write' for anything the kernel writes. */
  readonly access: 'read' | 'read_write';
  /** The element type of the array; f32 unless said. */
  readonly type?: ElementType;
}

export interface WgslProgram {
  /** The kernel's name: the label of its module and pipeline, and the start of its errors. */
  readonly name: string;
  /** Threads per workgroup, [x, y, z]. */
  readonly workgroupSize: readonly [number, number, number];
  /** Storage buffers, bound in this order after the uniform buffer. */
  readonly bindings: readonly WgslBinding[];
  /** The fields of the uniform struct `u`, in layout order (each one 4-byte scalar). */
  readonly uniforms: Readonly<Record<string, UniformType>>;
  /** Module-scope declarations: constants, `var<workgroup>` arrays, helper functions. */
  readonly declarations?: string;
  /**
   * The body of `main`. In scope: `u` (the uniforms), the bindings by name, the built-ins
   * `gid`, `lid`, `wid`, `nwg` (vec3<u32>) and `lindex`, and `index`: for a one-dimensional
   * workgroup ([x, 1, 1]) on a grid that `grid1D` folded into x and y, the flat invocation index.
   */
  readonly body: string;
}

/** The WGSL text of a program: generated prelude, the kernel's declarations and body. */
export const wgslSource = (program: WgslProgram): string => {
  const [x, y, z] = program.workgroupSize;
  const fields = Object.entries(program.uniforms);
  const lines = [`// kernel: ${program.name}`];
  let binding = 0;
  if (fields.length > 0) {
    lines.push('struct Uniforms {', ...fields.map(([name, type]) => `  ${name}: ${type},`), '}');
    lines.push(`@group(0) @binding(${binding++}) var<uniform> u: Uniforms;`);
  }
  for (const { name, access, type = 'f32' } of program.bindings) {
    lines.push(`@group(0) @binding(${binding++}) var<storage, ${access}> ${name}: array<${type}>;`);
  }
  if (program.declarations) lines.push(program.declarations.trim());
  lines.push(
    `@compute @workgroup_size(${x}, ${y}, ${z})`,
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,',
    '        @builtin(local_invocation_index) lindex: u32, @builtin(workgroup_id) wid: vec3<u32>,',
    '        @builtin(num_workgroups) nwg: vec3<u32>) {',
    `  let index = gid.x + gid.y * nwg.x * ${x}u;`,
    program.body.replace(/^\n+|\s+$/g, ''),
    '}',
    '',
  );
  return lines.join('\n');
};

/** Bytes of the uniform struct: 4 per field, rounded up to 16 (what a uniform binding needs). */
export const uniformBytes = (program: WgslProgram): number => Math.ceil((Object.keys(program.uniforms).length * 4) / 16) * 16;

/** A WGSL compile or pipeline error, naming the kernel and, when known, the line. */
export class WgslCompileError extends Error {
  constructor(
    readonly kernel: string,
    message: string,
    /** The line of the generated source the first error is on (1-based), or null. */
    readonly line: number | null,
    readonly source: string,
  ) {
    super(message);
    this.name = 'WgslCompileError';
  }
}

/** Formats compilation messages as "kernel <name>: WGSL line N: message", each with its line quoted. */
export const formatCompileMessages = (kernel: string, source: string, messages: readonly GPUCompilationMessage[]): string => {
  const lines = source.split('\n');
  return messages
    .map((message) => {
      const quoted = message.lineNum > 0 ? `\n    ${message.lineNum} | ${lines[message.lineNum - 1] ?? ''}` : '';
      return `kernel ${kernel}: WGSL line ${message.lineNum}: ${message.message}${quoted}`;
    })
    .join('\n');
};

export interface CompiledProgram {
  readonly program: WgslProgram;
  readonly source: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly uniformBytes: number;
  /** Resolves when the pipeline compiled; rejects with a WgslCompileError when it did not. */
  readonly ready: Promise<void>;
}

/**
 * Pipelines of one device, keyed by source. `get` is synchronous (WebGPU creates pipelines
 * without waiting; an invalid one makes the work that uses it fail), and the verdict comes
 * through `ready`; `compile` waits for it.
 */
export class PipelineCache {
  private readonly entries = new Map<string, CompiledProgram>();

  constructor(private readonly device: GPUDevice) {}

  /** Pipelines made so far (for tests: a second batch size must not add one). */
  get size(): number {
    return this.entries.size;
  }

  get(program: WgslProgram): CompiledProgram {
    const source = wgslSource(program);
    const cached = this.entries.get(source);
    if (cached) return cached;
    const compiled = this.create(program, source);
    this.entries.set(source, compiled);
    return compiled;
  }

  /** The program's pipeline, once the shader compiled; throws WgslCompileError otherwise. */
  async compile(program: WgslProgram): Promise<CompiledProgram> {
    const compiled = this.get(program);
    await compiled.ready;
    return compiled;
  }

  private create(program: WgslProgram, source: string): CompiledProgram {
    const { device } = this;
    const { name } = program;
    const hasUniforms = Object.keys(program.uniforms).length > 0;
    const entries: GPUBindGroupLayoutEntry[] = [];
    if (hasUniforms) entries.push({ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'uniform' } });
    program.bindings.forEach((binding, i) =>
      entries.push({
        binding: i + (hasUniforms ? 1 : 0),
        visibility: ShaderStage.COMPUTE,
        buffer: { type: binding.access === 'read' ? 'read-only-storage' : 'storage' },
      }),
    );
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: name, code: source });
    const layout = device.createBindGroupLayout({ label: name, entries });
    const pipeline = device.createComputePipeline({
      label: name,
      layout: device.createPipelineLayout({ label: name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    const validation = device.popErrorScope();
    const ready = Promise.all([module.getCompilationInfo(), validation]).then(([info, error]) => {
      const errors = info.messages.filter((message) => message.type === 'error');
      if (errors.length > 0) {
        throw new WgslCompileError(name, formatCompileMessages(name, source, errors), errors[0].lineNum, source);
      }
      if (error) throw new WgslCompileError(name, `kernel ${name}: ${error.message}`, null, source);
    });
    // The verdict is read by whoever awaits `ready`; a pipeline nobody waits for must not raise an unhandled rejection.
    ready.catch(() => undefined);
    return { program, source, pipeline, layout, uniformBytes: uniformBytes(program), ready };
  }
}
