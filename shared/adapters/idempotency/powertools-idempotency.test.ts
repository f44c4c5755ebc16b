import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { operatorWorld } from '../../../test/support/operator-world';
import { handleApiRequest } from '../../runtime/operator/api-router';
import { IdempotencyMismatchError } from '../../runtime/operator/idempotency';
import { PowertoolsIdempotency } from './powertools-idempotency';

/** Powertools persistence in a Map, with DynamoDBPersistenceLayer's put condition (a test double: the moto test covers DynamoDB). */
class MapPersistence extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.records.get(key);
    if (record === undefined) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const known = this.records.get(record.idempotencyKey);
    if (known !== undefined && !known.isExpired()) throw new IdempotencyItemAlreadyExistsError(`exists: ${record.idempotencyKey}`, known);
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

/** A guard with a Lambda context registered, as the api handler does per invocation (in-progress records then expire). */
function guardOver(persistence: MapPersistence): PowertoolsIdempotency {
  const guard = new PowertoolsIdempotency(persistence);
  guard.registerLambdaContext({ getRemainingTimeInMillis: () => 10_000 } as unknown as Context);
  return guard;
}

describe('PowertoolsIdempotency', () => {
  it('runs the work once per key and returns the first result on a repeat', async () => {
    const guard = guardOver(new MapPersistence());
    let calls = 0;
    const work = async () => ({ n: ++calls });
    expect(await guard.run('k1', { a: 1 }, work)).toEqual({ n: 1 });
    expect(await guard.run('k1', { a: 1 }, work)).toEqual({ n: 1 });
    expect(await guard.run('k2', { a: 1 }, work)).toEqual({ n: 2 });
  });

  it('refuses a repeated key with another payload and forgets work that threw', async () => {
    const persistence = new MapPersistence();
    const guard = guardOver(persistence);
    await guard.run('k1', { a: 1 }, async () => 'first');
    await expect(guard.run('k1', { a: 2 }, async () => 'second')).rejects.toBeInstanceOf(IdempotencyMismatchError);
    await expect(guard.run('k3', { a: 1 }, async () => { throw new Error('refused'); })).rejects.toThrow('refused');
    expect(await guard.run('k3', { a: 1 }, async () => 'retried')).toBe('retried');
  });

  it('gives the router one override per Idempotency-Key', async () => {
    const w = operatorWorld();
    w.deps.idempotency = guardOver(new MapPersistence());
    const post = () => handleApiRequest(w.deps, { method: 'POST', path: '/overrides', headers: { 'idempotency-key': 'abc' }, query: {}, body: JSON.stringify({ target: 'eu-west-1', action: 'drain', ttlSeconds: 300, reason: 'test' }), principal: 'ops', requestId: 'r' });
    const first = await post();
    const second = await post();
    expect(first.statusCode).toBe(201);
    expect(second).toEqual(first);
    expect(w.store.overrides.size).toBe(1);
  });
});
