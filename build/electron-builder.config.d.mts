/** Types of electron-builder.config.mjs, for the test that checks it. */
import type { Configuration } from 'app-builder-lib';

declare const config: Configuration;
export default config;
