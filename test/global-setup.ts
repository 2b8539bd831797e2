/**
 * Once, before any test file runs: build the renderer when it is missing or stale. Every browser
 * test starts its own `cnn-studio serve`, which would otherwise build out/renderer itself, and two
 * of them starting together on stale sources would empty and write that folder under each other.
 */
import { ensureRendererBuilt } from '../electron/host/server/renderer-build';

export default async function setup(): Promise<void> {
  // The build sets NODE_ENV to production (for React's production bundle); the test processes
  // started after this must still see the runner's own value.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await ensureRendererBuilt((line) => console.log(`global setup: ${line}`));
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
