/**
 * The operator API's contract, independent of API Gateway: the Lambda handler, the local run
 * (`npm start`) and the tests all call `handleApiRequest(deps, request)` with these shapes.
 */
import type { Region } from '../../domain';
import type { ObserverDeps } from '../deps';
import type { IdempotencyGuard } from './idempotency';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE' | string;
  /** Path without stage prefix, e.g. `/overrides/ov-123`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** Raw body text (JSON expected where a body is required). */
  body: string | null;
  /** The caller: the IAM principal ARN from the request context (`local:<name>` locally). */
  principal: string | null;
  /** For logs and audit correlation. */
  requestId: string;
}

export interface ApiResponse {
  statusCode: number;
  headers?: Record<string, string>;
  /** JSON-serialisable body; errors are `{ error: string, problems?: Array<{ path, message }> }`. */
  body: unknown;
}

/** What the API needs beyond an observer's deps. */
export interface OperatorDeps extends ObserverDeps {
  /** Generates unique ids (overrides, drills, audit); injected so tests and the simulator stay deterministic. */
  newId(prefix: string): string;
  /** API base URLs per observer region, for status and the CLI's failover. */
  apiUrls?: Record<Region, string>;
  /** Remembers Idempotency-Key results (Powertools in Lambda); the router falls back to a per-deps memory guard. */
  idempotency?: IdempotencyGuard;
  /**
   * Starts an API-requested drill asynchronously (in Lambda: an 'Arbiter Drill Start' event that
   * invokes the drill function). Absent: the drill is stored as requested and not run.
   */
  launchDrill?: (drillId: string) => Promise<void>;
}
