/**
 * Assertions that stay on in production: a broken invariant stops the invocation before it
 * writes a wrong DNS change (TigerBeetle style).
 */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
