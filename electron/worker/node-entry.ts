/**
 * The training worker's entry under plain Node (`child_process.fork`, with an IPC channel).
 * Messages are validated on arrival; a malformed one is reported and ignored. The CPU engine
 * gets helper threads for every core (thread-pool-node.ts).
 */
import { PROTOCOL_VERSION, ProtocolError, validateHostMessage, type WorkerMessage } from './protocol';
import { enableRelaxedSimd } from './relaxed-simd';
import { useNodeThreads } from './thread-pool-node';
import { TrainingJob } from './training-job';

const send = (message: WorkerMessage, then?: () => void): void => {
  process.send?.(message, undefined, {}, () => then?.());
};

if (!process.send) {
  console.error('the training worker must be started by CNN Studio with an IPC channel (child_process.fork)');
  process.exit(2);
}

// Relaxed SIMD first, so that the CPU engine picks its FMA kernels (relaxed-simd.ts).
enableRelaxedSimd();
// The CPU engine trains on every core: helper threads start with its first work and join it once started.
useNodeThreads();

// After the last message has been handed to the channel, the worker's work is over.
const job = new TrainingJob((message) =>
  send(message, message.type === 'done' || message.type === 'failed' ? () => process.disconnect?.() : undefined),
);

process.on('message', (raw) => {
  try {
    job.handle(validateHostMessage(raw));
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    send({ type: 'failed', kind: 'internal', reason: error.message });
  }
});
// Ctrl-C in a terminal reaches the whole process group; the host decides how to stop (cleanly
// after the current step), so the worker itself ignores it.
process.on('SIGINT', () => {});
// The host gone means nobody can receive the results: stop.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', protocol: PROTOCOL_VERSION, pid: process.pid });
