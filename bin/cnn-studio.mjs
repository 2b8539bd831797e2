#!/usr/bin/env node
// The cnn-studio command: runs the TypeScript sources through tsx's loader.
// (`npm run build` makes a bundled out/cli/cnn-studio.mjs for packaging.)
import { register } from 'tsx/esm/api';

register();
await import('../electron/host/cli/entry.ts');
