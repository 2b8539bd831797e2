// `npm start`: the desktop app. Where no Electron binary can be had, say so in one line and
// point to the browser version.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);

const electronBinary = () => {
  try {
    const path = require('electron'); // the path of the binary, once its download has succeeded
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
};

if (!electronBinary()) {
  console.error(
    'CNN Studio: the Electron runtime is not installed on this machine (its download failed or was skipped); use `npm run serve` to open CNN Studio in a browser.',
  );
  process.exit(1);
}
console.error(
  'CNN Studio: the desktop shell (electron/main) is not built yet in this version; use the `cnn-studio` command line meanwhile.',
);
process.exit(1);
