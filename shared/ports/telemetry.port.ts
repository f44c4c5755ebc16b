/** Logs and metrics: Powertools in Lambda, a recorder in tests and the simulator. */
export interface Telemetry {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
  metric(name: string, value: number, unit?: 'Count' | 'Milliseconds'): void;
}

export const silentTelemetry: Telemetry = { info() {}, warn() {}, error() {}, metric() {} };
