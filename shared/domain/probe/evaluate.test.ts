import { makeConfig } from '../../../test/support/fixtures';
import type { EndpointConfig } from '../config';
import type { ProbeResult } from '../types';
import { evaluateProbe, quantile } from './evaluate';

const endpoint: EndpointConfig = { ...makeConfig().targets[0]!.endpoints[0]!, bodyContains: '"status":"ok"' };
const answer = (over: Partial<ProbeResult> = {}): ProbeResult => ({ target: 'us-east-1', endpointIndex: 0, startedMs: 0, latencyMs: 80, status: 200, bodyExcerpt: '{"status":"ok"}', ...over });

describe('evaluateProbe', () => {
  it('passes a 2xx answer whose body matches', () => {
    const e = evaluateProbe(endpoint, answer());
    expect(e).toEqual({ endpointIndex: 0, pass: true, answered: true, latencyMs: 80, startedMs: 0, reason: 'status 200 in 80 ms' });
  });

  it('fails a transport error and marks it unanswered, naming the error kind', () => {
    const e = evaluateProbe(endpoint, answer({ status: undefined, error: { kind: 'timeout', message: 'no answer within 2000 ms' } }));
    expect(e).toMatchObject({ pass: false, answered: false, reason: 'timeout: no answer within 2000 ms' });
  });

  it('fails a result with neither status nor error', () => {
    expect(evaluateProbe(endpoint, answer({ status: undefined }))).toMatchObject({ pass: false, answered: false, reason: 'no answer' });
  });

  it('fails an answer that came after the timeout, as if none came', () => {
    expect(evaluateProbe(endpoint, answer({ latencyMs: 2001 }))).toMatchObject({ pass: false, answered: false, reason: 'answered after 2001 ms, beyond timeoutMs 2000' });
  });

  it('fails a status outside the expected range, at both edges', () => {
    expect(evaluateProbe(endpoint, answer({ status: 503 }))).toMatchObject({ pass: false, answered: true, reason: 'status 503 outside 200-299' });
    expect(evaluateProbe(endpoint, answer({ status: 199 })).pass).toBe(false);
    expect(evaluateProbe(endpoint, answer({ status: 299 })).pass).toBe(true);
    expect(evaluateProbe({ ...endpoint, expectStatus: { min: 200, max: 399 } }, answer({ status: 302 })).pass).toBe(true);
  });

  it('fails a body without the expected text, and a missing body', () => {
    expect(evaluateProbe(endpoint, answer({ bodyExcerpt: '{"status":"degraded"}' }))).toMatchObject({ pass: false, reason: 'body does not contain "\\"status\\":\\"ok\\""' });
    expect(evaluateProbe(endpoint, answer({ bodyExcerpt: undefined })).pass).toBe(false);
  });

  it('passes a single slow answer within the timeout: slowness is judged over a window', () => {
    expect(evaluateProbe(endpoint, answer({ latencyMs: 1900 })).pass).toBe(true);
  });
});

describe('quantile (nearest rank)', () => {
  it('picks the nearest-rank sample and ignores input order', () => {
    expect(quantile([100, 1500, 100], 0.9)).toBe(1500);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([7], 1)).toBe(7);
  });

  it('is null for no samples', () => {
    expect(quantile([], 0.9)).toBeNull();
  });
});
