/** The engine could not be reached, did not answer in time, or pushed back (busy): try again later (503). */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

/** The engine answered a call with an error status other than unavailability. */
export class EngineRequestError extends Error {
  override name = 'EngineRequestError';
  readonly status: number;
  /** The engine's exception type (Operaton's error body `type`), e.g. `MismatchingMessageCorrelationException`. */
  readonly engineType: string | undefined;
  constructor(status: number, message: string, engineType?: string) {
    super(message);
    this.status = status;
    this.engineType = engineType;
  }
}

/**
 * Two commands changed the same engine rows at once (optimistic locking): nothing was changed by
 * the losing one, which may simply be tried again.
 */
export class EngineConflictError extends EngineRequestError {
  override name = 'EngineConflictError';
}
