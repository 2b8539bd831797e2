/**
 * The WebGPU backend's foundation: the `auto` backend choice, device acquisition and loss,
 * buffers and the pool, compile errors that name the kernel and WGSL line, the pipeline cache,
 * and the runner's checks and error reports.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool, readFloats, readInts, storageBytes, uploadStorage, writeStorage } from '../../../../engine/backends/webgpu/buffers';
import { PipelineCache, WgslCompileError, wgslSource, type WgslProgram } from '../../../../engine/backends/webgpu/compile';
import {
  acquireDevice,
  chooseBackend,
  DeviceLostError,
  GpuUnavailableError,
  isSoftwareAdapter,
  summariseAdapter,
  type AdapterSummary,
} from '../../../../engine/backends/webgpu/device';
import { webgpuPrograms } from '../../../../engine/backends/webgpu/kernels';
import { grid1D, gridOfGroups, GpuRunError, MAX_WORKGROUPS } from '../../../../engine/backends/webgpu/run';
import { gpu, upload, warnIfSkipped, zeros } from './harness';

warnIfSkipped('device.test.ts');

const adapter = (fields: Partial<AdapterSummary>): AdapterSummary => {
  const info = { vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, ...fields };
  return { ...info, software: isSoftwareAdapter(info) };
};

describe('the auto backend choice', () => {
  it('picks the CPU when there is no adapter, and says why', () => {
    expect(chooseBackend(null)).toEqual({ backend: 'cpu', reason: 'no WebGPU adapter was found; training on the CPU' });
    expect(chooseBackend(null, 'this environment has no WebGPU').reason).toBe('this environment has no WebGPU; training on the CPU');
  });

  it('picks the CPU over a software renderer, naming it', () => {
    for (const software of [
      adapter({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }),
      adapter({ vendor: 'google', architecture: 'swiftshader' }),
      adapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }),
      adapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }),
      adapter({ vendor: 'someone', isFallbackAdapter: true }),
    ]) {
      const choice = chooseBackend(software);
      expect(choice.backend).toBe('cpu');
      expect(choice.reason).toMatch(/software renderer that is slower than the CPU engine; training on the CPU/);
    }
    expect(chooseBackend(adapter({ vendor: 'google', architecture: 'swiftshader' })).reason).toMatch(
      /^the only GPU adapter is google swiftshader/,
    );
  });

  it('picks a hardware GPU', () => {
    expect(chooseBackend(adapter({ vendor: 'nvidia', architecture: 'ampere' }))).toEqual({
      backend: 'webgpu',
      reason: 'training on the GPU: nvidia ampere',
    });
    expect(chooseBackend(adapter({ description: 'Apple M2' })).reason).toBe('training on the GPU: Apple M2');
  });

  it('says what the choice is for: training (the default) or inference', () => {
    expect(chooseBackend(adapter({ vendor: 'nvidia', architecture: 'ampere' }), undefined, 'inference')).toEqual({
      backend: 'webgpu',
      reason: 'inference on the GPU: nvidia ampere',
    });
    expect(chooseBackend(null, 'this page has no WebGPU', 'inference').reason).toBe('this page has no WebGPU; inference on the CPU');
    expect(
      chooseBackend(adapter({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }), undefined, 'inference'),
    ).toEqual({
      backend: 'cpu',
      reason: 'the only GPU adapter is google swiftshader, a software renderer that is slower than the CPU engine; inference on the CPU',
    });
  });

  it("reads the fallback flag from the adapter's info or, in older implementations, the adapter", () => {
    const info = { vendor: 'v', architecture: 'a', device: '', description: '' };
    expect(summariseAdapter({ info: { ...info, isFallbackAdapter: true } } as unknown as GPUAdapter).software).toBe(true);
    expect(summariseAdapter({ info, isFallbackAdapter: true } as unknown as GPUAdapter).isFallbackAdapter).toBe(true);
    expect(summariseAdapter({ info } as unknown as GPUAdapter).software).toBe(false);
  });
});

describe('acquiring a device', () => {
  it('says why when there is no GPU', async () => {
    await expect(acquireDevice(undefined)).rejects.toThrow(new GpuUnavailableError('this environment has no WebGPU'));
    const none = { requestAdapter: async () => null } as unknown as GPU;
    await expect(acquireDevice(none)).rejects.toThrow(/WebGPU found no adapter/);
    const broken = { requestAdapter: async () => Promise.reject(new Error('driver crashed')) } as unknown as GPU;
    await expect(acquireDevice(broken)).rejects.toThrow(/WebGPU failed to look for an adapter: driver crashed/);
  });

  it.skipIf(!gpu)('describes the adapter it found (here a software one, which auto would not use)', () => {
    const { adapter } = gpu!.context;
    expect(adapter.vendor.length + adapter.description.length).toBeGreaterThan(0);
    if (adapter.architecture === 'swiftshader') {
      expect(adapter.software).toBe(true);
      expect(chooseBackend(adapter).backend).toBe('cpu');
    }
  });

  it.skipIf(!gpu)('rejects `lost` with a clear message when the device goes', async () => {
    const context = await acquireDevice(gpu!.context.gpu);
    context.destroy();
    await expect(context.lost).rejects.toThrow(DeviceLostError);
    await expect(context.lost).rejects.toThrow(/^the GPU device was closed/);
    const lost = new DeviceLostError('unknown', 'the driver reset');
    expect(lost.message).toBe(
      'the GPU device was lost: the driver reset; the driver may have crashed or reset. ' +
        'Training on the GPU cannot go on: restart the run, or train on the CPU',
    );
  });
});

describe.skipIf(!gpu)('buffers', () => {
  it('upload, write at an offset, and read back floats and ints', async () => {
    const { device } = gpu!;
    const buffer = uploadStorage(device, Float32Array.of(1, 2, 3, 4, 5), 'five');
    expect(buffer.size).toBe(20);
    writeStorage(device, buffer, Float32Array.of(-7, -8), 2);
    expect(Array.from(await readFloats(device, buffer))).toEqual([1, 2, -7, -8, 5]);
    expect(Array.from(await readFloats(device, buffer, 2, 3))).toEqual([-8, 5]);
    const ints = uploadStorage(device, Int32Array.of(-1, 2147483647), 'ints');
    expect(Array.from(await readInts(device, ints))).toEqual([-1, 2147483647]);
    expect(storageBytes(0)).toBe(4);
    expect(storageBytes(5)).toBe(8);
  });

  it('a pool reuses released buffers by size class', () => {
    const pool = new BufferPool(gpu!.device);
    const a = pool.acquire(100, 'a');
    expect(a.size).toBe(512);
    expect(BufferPool.sizeClass(1)).toBe(256);
    pool.release(a);
    expect(pool.idle).toBe(1);
    expect(pool.acquire(120, 'b')).toBe(a);
    expect(pool.acquire(120, 'c')).not.toBe(a);
    pool.release(a);
    expect(() => pool.release(a)).toThrow(/released twice/);
    expect(() => pool.release(zeros(4, 'stranger'))).toThrow(/does not belong to this pool/);
    expect(pool.bytes).toBe(1024);
    pool.destroy();
    expect(pool.idle).toBe(0);
  });
});

const copyProgram: WgslProgram = {
  name: 'copy',
  workgroupSize: [64, 1, 1],
  bindings: [
    { name: 'source', access: 'read' },
    { name: 'destination', access: 'read_write' },
  ],
  uniforms: { count: 'u32', scale: 'f32' },
  body: `
  if (index >= u.count) { return; }
  destination[index] = source[index] * u.scale;`,
};

describe.skipIf(!gpu)('compiling WGSL programs', () => {
  it('compiles every kernel program', async () => {
    const started = performance.now();
    await gpu!.runner.prepare(...webgpuPrograms);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(30);
  });

  it('reports a compile error as "kernel <name>: WGSL line N: message", quoting the line', async () => {
    const broken: WgslProgram = { ...copyProgram, name: 'broken', body: 'let a = 1.0;\n  let b: f32 = nowhere + a;' };
    const source = wgslSource(broken);
    const line = source.split('\n').findIndex((text) => text.includes('nowhere')) + 1;
    const error = await gpu!.runner.cache.compile(broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WgslCompileError);
    const compileError = error as WgslCompileError;
    expect(compileError.kernel).toBe('broken');
    expect(compileError.line).toBe(line);
    expect(compileError.message).toMatch(new RegExp(`^kernel broken: WGSL line ${line}: .*nowhere`));
    expect(compileError.message).toContain(`${line} |   let b: f32 = nowhere + a;`);
  });

  it('reports a compile error of a dispatched kernel at flush, before any other error', async () => {
    const broken: WgslProgram = { ...copyProgram, name: 'broken at run time', body: 'destination[0] = missing;' };
    gpu!.runner.dispatch(broken, { source: zeros(1), destination: zeros(1) }, { count: 1, scale: 1 }, [1, 1, 1]);
    await expect(gpu!.runner.flush()).rejects.toThrow(/^kernel broken at run time: WGSL line \d+: .*missing/);
    // The runner is usable afterwards.
    const target = zeros(2);
    gpu!.runner.dispatch(copyProgram, { source: upload([1, 2]), destination: target }, { count: 2, scale: 3 }, [1, 1, 1]);
    expect(Array.from(await gpu!.runner.readFloats(target, 2))).toEqual([3, 6]);
  });

  it('caches pipelines by source: new uniforms or an equal program reuse one, a new body makes one', () => {
    const cache = new PipelineCache(gpu!.device);
    const first = cache.get(copyProgram);
    expect(cache.get({ ...copyProgram, bindings: [...copyProgram.bindings] })).toBe(first);
    expect(cache.size).toBe(1);
    cache.get({ ...copyProgram, body: copyProgram.body.replace('* u.scale', '+ u.scale') });
    expect(cache.size).toBe(2);
    expect(first.uniformBytes).toBe(16);
  });
});

describe.skipIf(!gpu)('the runner', () => {
  it('checks buffers, uniforms and grids before recording, naming the kernel', () => {
    const { runner } = gpu!;
    const [a, b] = [zeros(4), zeros(4)];
    expect(() => runner.dispatch(copyProgram, { source: a }, { count: 4, scale: 1 }, [1, 1, 1])).toThrow(
      'kernel copy: no buffer given for destination',
    );
    expect(() => runner.dispatch(copyProgram, { source: a, destination: b, extra: a }, { count: 4, scale: 1 }, [1, 1, 1])).toThrow(
      'kernel copy: it has no buffer named extra',
    );
    expect(() => runner.dispatch(copyProgram, { source: a, destination: b }, { count: -1, scale: 1 }, [1, 1, 1])).toThrow(
      'kernel copy: uniform count = -1 is not a valid u32',
    );
    expect(() => runner.dispatch(copyProgram, { source: a, destination: b }, { count: 4 }, [1, 1, 1])).toThrow(
      'kernel copy: no uniform given for scale',
    );
    expect(() => runner.dispatch(copyProgram, { source: a, destination: b }, { count: 4, scale: 1 }, [70_000, 1, 1])).toThrow(
      /outside 0…65535/,
    );
  });

  it('reports a validation error at flush with the kernels that ran', async () => {
    const { device, runner } = gpu!;
    // A buffer that cannot be bound as storage.
    const unbindable = device.createBuffer({ label: 'map only', size: 16, usage: 0x0001 | 0x0008 });
    runner.dispatch(copyProgram, { source: unbindable, destination: zeros(4) }, { count: 4, scale: 1 }, [1, 1, 1]);
    await expect(runner.flush()).rejects.toThrow(GpuRunError);
    runner.dispatch(copyProgram, { source: unbindable, destination: zeros(4) }, { count: 4, scale: 1 }, [1, 1, 1]);
    await expect(runner.flush()).rejects.toThrow(/while running: copy/);
  });

  it('folds large grids into two dimensions', async () => {
    expect(grid1D(1000)).toEqual([4, 1, 1]);
    expect(grid1D(256 * MAX_WORKGROUPS)).toEqual([MAX_WORKGROUPS, 1, 1]);
    const [x, y] = grid1D(256 * MAX_WORKGROUPS + 1);
    expect(y).toBe(2);
    expect(x * y * 256).toBeGreaterThanOrEqual(256 * MAX_WORKGROUPS + 1);
    // One workgroup per item past 65,535 items: every item is visited once.
    const count = 70_001;
    const program: WgslProgram = {
      name: 'visit',
      workgroupSize: [1, 1, 1],
      bindings: [{ name: 'visits', access: 'read_write' }],
      uniforms: { count: 'u32' },
      body: `
  let item = wid.x + wid.y * nwg.x;
  if (item >= u.count) { return; }
  visits[item] = visits[item] + 1.0;`,
    };
    const visits = zeros(count);
    gpu!.runner.dispatch(program, { visits }, { count }, gridOfGroups(count));
    const result = await gpu!.runner.readFloats(visits, count);
    expect(result.every((value) => value === 1)).toBe(true);
  });

  it('uses a fresh uniform slot per dispatch, and many slots across chunks', async () => {
    const { runner } = gpu!;
    const source = upload([1]);
    const targets = Array.from({ length: 300 }, () => zeros(1));
    targets.forEach((target, i) => runner.dispatch(copyProgram, { source, destination: target }, { count: 1, scale: i }, [1, 1, 1]));
    await runner.flush();
    for (const i of [0, 1, 255, 256, 299]) expect(Array.from(await readFloats(gpu!.device, targets[i], 1))).toEqual([i]);
  });
});
