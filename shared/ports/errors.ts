/**
 * Arbiter's own errors. Adapters translate SDK errors into these at the edge, so no AWS error type
 * reaches the runtime. Expected outcomes ("no quorum", "rule refused") are values, not errors.
 */
export class ArbiterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A conditional write lost: the item changed (or exists) since it was read. */
export class ConflictError extends ArbiterError {}

/** An immutable, uniquely keyed item already exists. */
export class AlreadyExistsError extends ArbiterError {}

/** A dependency throttled or failed transiently and the bounded retries ran out. */
export class TransientError extends ArbiterError {}

/**
 * The Route 53 control plane refused or could not take a change (after bounded retries).
 * `conflict`: the batch was planned from a state that is no longer there (its register DELETE no
 * longer matches): the planner must re-read and re-plan.
 */
export class DnsError extends ArbiterError {
  constructor(message: string, readonly code: 'throttled' | 'prior-request' | 'unavailable' | 'invalid' | 'conflict', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Some events could not be published after bounded retries: they are listed, never dropped silently. */
export class PublishError extends ArbiterError {
  constructor(message: string, readonly failed: ReadonlyArray<{ type: string; reason: string }>, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A required setting (environment variable, config file) is missing or malformed. */
export class ConfigurationError extends ArbiterError {}
