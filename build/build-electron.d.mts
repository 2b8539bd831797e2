/** Types of build-electron.mjs, for the tests that build the bundles. */
export interface BuildElectronOptions {
  /** Where main/, preload/ go (default out/). */
  readonly outDir?: string;
  /** Also build the renderer into out/renderer. */
  readonly renderer?: boolean;
}

export declare const buildElectron: (options?: BuildElectronOptions) => Promise<void>;
