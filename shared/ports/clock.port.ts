/** Time comes in through a port: Lambda uses the system clock, the simulator a virtual one. */
export interface Clock {
  nowMs(): number;
  sleepMs(ms: number): Promise<void>;
}

/** Randomness too (jitter): uniform in [0, 1). */
export interface Random {
  next(): number;
}
