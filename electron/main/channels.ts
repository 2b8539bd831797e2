/**
 * The IPC channels between the preload and the main process, derived from the contract's runtime
 * method list (electron/api.ts), so a method added to StudioApi gets its channel without a second
 * list. Shared by main and the preload (which bundles it); no electron import.
 */
import { STUDIO_REQUEST_METHODS, type SerializedError, type StudioRequestMethod } from '../api';

export const CHANNEL_PREFIX = 'studio:';

/** The job stream's two requests: open a stream (its MessagePort comes separately) and close it. */
export const STREAM_METHODS = ['watchJob', 'unwatchJob'] as const;

export type ChannelMethod = StudioRequestMethod | (typeof STREAM_METHODS)[number];

export const channelOf = (method: ChannelMethod): string => `${CHANNEL_PREFIX}${method}`;

/** Every channel the preload may invoke and main handles, one per method. */
export const INVOKE_CHANNELS: readonly string[] = [...STUDIO_REQUEST_METHODS, ...STREAM_METHODS].map(channelOf);

/** Main → preload: a job stream's MessagePort, sent with `webContents.postMessage` and `{ jobId, nonce }`. */
export const JOB_PORT_CHANNEL = `${CHANNEL_PREFIX}job-port`;

/**
 * Main → preload: a `previewStartFilters`'s progress, `{ nonce, progress }` (StartFiltersProgress).
 * The preload sends the nonce as the request's fourth argument; main strips it before the checks.
 */
export const START_FILTERS_PROGRESS_CHANNEL = `${CHANNEL_PREFIX}start-filters-progress`;

/** Main → preload: a menu command for the page (see MenuCommandMessage). */
export const MENU_CHANNEL = `${CHANNEL_PREFIX}menu`;

export const isInvokeChannel = (channel: unknown): boolean => typeof channel === 'string' && INVOKE_CHANNELS.includes(channel);

/**
 * What every invoke answers. Errors travel as values: a rejected `ipcRenderer.invoke` would lose
 * the error's name (its title) and prefix the message with Electron's own words.
 */
export type Envelope = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SerializedError };

/** A job stream's nonce: 32 hex digits, made by the preload. */
export const isNonce = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);

// The menu commands are part of the page's contract (electron/api.ts); main and the preload use them from here.
export { MENU_COMMANDS, PAGE_MESSAGE_SOURCE, isMenuCommandMessage, type MenuCommand, type MenuCommandMessage } from '../api';
