/**
 * The IdempotencyGuard over Powertools idempotency, persisted in the Arbiter table:
 *
 *   pk = IDEMPOTENCY#api (static)   sk = overrides#<md5 of the scoped Idempotency-Key>
 *   expiresAt = the table's TTL attribute (Powertools' `expiration`, renamed), data / status / validation as Powertools writes them
 *
 * Powertools hashes the key (`eventKeyJmesPath: key`) and keeps a hash of the request
 * (`payloadValidationJmesPath: payload`), so a repeat with another body is refused. Powertools'
 * errors are translated here; none leaves this file.
 */
import {
  IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyPersistenceLayerError, IdempotencyValidationError, makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { TransientError } from '../../ports';
import { idempotencyKeyTtlSeconds, IdempotencyInProgressError, IdempotencyMismatchError, type IdempotencyGuard } from '../../runtime/operator/idempotency';

/** The partition every idempotency record of the API shares (the table's other items never start so). */
export const idempotencyPartitionKey = 'IDEMPOTENCY#api';

/** Powertools' DynamoDB persistence on the Arbiter table's pk/sk and TTL attribute. */
export function arbiterIdempotencyPersistence(tableName: string, client: DynamoDBClient): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName, keyAttr: 'pk', sortKeyAttr: 'sk', staticPkValue: idempotencyPartitionKey, expiryAttr: 'expiresAt', awsSdkV3Client: client });
}

/**
 * @example
 *   const guard = new PowertoolsIdempotency(arbiterIdempotencyPersistence(table, client));
 *   guard.registerLambdaContext(context); // per invocation: in-progress records expire with it
 */
export class PowertoolsIdempotency implements IdempotencyGuard {
  private readonly config: IdempotencyConfig;

  constructor(private readonly persistence: BasePersistenceLayer, ttlSeconds = idempotencyKeyTtlSeconds) {
    this.config = new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'payload', expiresAfterSeconds: ttlSeconds, throwOnNoIdempotencyKey: true });
  }

  registerLambdaContext(context: Context): void {
    this.config.registerLambdaContext(context);
  }

  async run<T>(key: string, payload: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    const once = makeIdempotent(async (_request: { key: string; payload: Record<string, unknown> }) => work(), { persistenceStore: this.persistence, config: this.config, keyPrefix: 'overrides' });
    try {
      return (await once({ key, payload })) as T;
    } catch (error) {
      if (error instanceof IdempotencyValidationError) throw new IdempotencyMismatchError(`Idempotency-Key ${key} was used with a different request`, { cause: error });
      if (error instanceof IdempotencyAlreadyInProgressError) throw new IdempotencyInProgressError(`a request with Idempotency-Key ${key} is still in progress`, { cause: error });
      if (error instanceof IdempotencyPersistenceLayerError) throw new TransientError(`idempotency store failed: ${error.message}`, { cause: error });
      throw error;
    }
  }
}
