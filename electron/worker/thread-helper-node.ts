/** A CPU engine helper thread (started by thread-pool-node.ts): serves work items until the process ends. */
import { workerData } from 'node:worker_threads';
import '../../engine/backends/cpu/layers';
import { serveHelper, type HelperStart } from '../../engine/backends/cpu/parallel';
import { enableRelaxedSimd } from './relaxed-simd';

enableRelaxedSimd();
serveHelper(workerData as HelperStart);
