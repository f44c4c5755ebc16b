/** Where a command writes; tests capture it. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Exit codes, documented in README. */
export const exitCodes = { ok: 0, failure: 1, usage: 2, unreachable: 3, refused: 4, invariant: 5 } as const;

/** A bad argument or option: printed as one line, exit code `usage`. */
export class UsageError extends Error {}
