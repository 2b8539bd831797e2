/**
 * The errors the Node host sends back to the renderer. Each class's `name` is the title the IDE
 * shows; the message says what went wrong and how to fix it. Anything else that escapes a
 * method is a bug and crosses as `InternalError`.
 */
import type { SerializedError } from '../../api';

class StudioError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A request that does not fit the contract (bad arguments, an unknown method or job). */
export class RequestError extends StudioError {
  constructor(message: string) {
    super('RequestError', message);
  }
}

/** A project that cannot be opened, made or saved. */
export class ProjectError extends StudioError {
  constructor(message: string) {
    super('ProjectError', message);
  }
}

/** A training run that cannot start. */
export class TrainingError extends StudioError {
  constructor(message: string) {
    super('TrainingError', message);
  }
}

/** A dataset that cannot be opened. */
export class DatasetError extends StudioError {
  constructor(message: string) {
    super('DatasetError', message);
  }
}

/** A visualisation that cannot be shown (a layer without filters, a sample out of range). */
export class VisualError extends StudioError {
  constructor(message: string) {
    super('VisualError', message);
  }
}

/** Unsaved changes that cannot be kept, restored or found (electron/services/recovery names its own errors so). */
export class RecoveryError extends StudioError {
  constructor(message: string) {
    super('RecoveryError', message);
  }
}

/** Work that was stopped before it answered (cancelled, or superseded by a newer request). */
export class CancelledError extends StudioError {
  constructor(message: string) {
    super('CancelledError', message);
  }
}

const KNOWN = new Set(['RequestError', 'ProjectError', 'TrainingError', 'DatasetError', 'VisualError', 'RecoveryError', 'CancelledError']);

/** What crosses the wire: known errors as they are, anything else as an internal error. */
export const serializeError = (error: unknown): SerializedError => {
  if (error instanceof Error && KNOWN.has(error.name)) return { name: error.name, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'InternalError', message: `something went wrong in the CNN Studio host: ${message}` };
};
