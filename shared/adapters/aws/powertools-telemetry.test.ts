import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PowertoolsTelemetry } from './powertools-telemetry';

/** Powertools writes JSON lines to stdout (warnings and errors to stderr); capture them for the duration of `act`. */
function captureStdout(act: () => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(record), jest.spyOn(process.stderr, 'write').mockImplementation(record)];
  try {
    act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('PowertoolsTelemetry', () => {
  const env = { ...process.env };
  beforeEach(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    delete process.env.POWERTOOLS_DEV;
  });
  afterEach(() => {
    process.env = { ...env };
  });

  it('logs structured lines with their context and level', () => {
    const logger = new Logger({ serviceName: 'arbiter', logLevel: 'INFO' });
    const telemetry = new PowertoolsTelemetry(logger, new Metrics({ namespace: 'Arbiter', serviceName: 'arbiter', logger }));
    const lines = captureStdout(() => telemetry.warn('safety rule refused an automatic action', { target: 'eu-west-1' }));
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', message: 'safety rule refused an automatic action', target: 'eu-west-1', service: 'arbiter' })]);
  });

  it('emits metrics in embedded metric format under the Arbiter namespace when flushed', () => {
    const logger = new Logger({ serviceName: 'arbiter', logLevel: 'INFO' });
    const metrics = new Metrics({ namespace: 'Arbiter', serviceName: 'arbiter', logger });
    const telemetry = new PowertoolsTelemetry(logger, metrics);
    telemetry.metric('DecisionsApplied', 1, 'Count');
    telemetry.metric('ProbeLatency', 42, 'Milliseconds');
    const lines = captureStdout(() => metrics.publishStoredMetrics());
    const emf = lines.find((l) => l._aws !== undefined) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string; Unit: string }> }> }; DecisionsApplied: number; ProbeLatency: number };
    expect(emf._aws.CloudWatchMetrics[0]!.Namespace).toBe('Arbiter');
    expect(emf._aws.CloudWatchMetrics[0]!.Metrics).toEqual(expect.arrayContaining([{ Name: 'DecisionsApplied', Unit: 'Count' }, { Name: 'ProbeLatency', Unit: 'Milliseconds' }]));
    expect([emf.DecisionsApplied, emf.ProbeLatency]).toEqual([1, 42]);
  });
});
