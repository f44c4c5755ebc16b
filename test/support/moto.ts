/**
 * moto in server mode on loopback, for integration tests (operator and data-plane tests reuse it).
 *
 *   const moto = await startMoto();          // in beforeAll: installs .venv if missing, picks a free port
 *   new DynamoDBClient({ ...moto.clientOptions('eu-west-1') });
 *   await moto.stop();                        // in afterAll
 *
 * One server serves every region: clients differ only by region. A missing python3 fails the
 * setup with setup-python.sh's message; it is never a skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';

const repoRoot = join(__dirname, '..', '..');
const motoServerPath = join(repoRoot, '.venv', 'bin', 'moto_server');
/** moto starts in about 1 s; allow for a loaded 2-core machine. */
export const motoStartTimeoutMs = 30_000;
export const motoPollIntervalMs = 100;
export const motoStopTimeoutMs = 5_000;
/** Installing the pinned virtualenv from scratch takes about a minute. */
export const venvSetupTimeoutMs = 240_000;

export const fakeCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface Moto {
  url: string;
  port: number;
  /** Options for any AWS SDK v3 client pointed at this server. */
  clientOptions(region: string): { region: string; endpoint: string; credentials: typeof fakeCredentials };
  /** Clears every emulated resource (all services, all regions). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates .venv with the pinned moto when it is missing (python3 missing → a clear error). */
export function ensureVenv(): void {
  if (existsSync(motoServerPath)) return;
  const result = spawnSync('bash', [join(repoRoot, 'test', 'support', 'setup-python.sh')], { cwd: repoRoot, encoding: 'utf8', timeout: venvSetupTimeoutMs });
  if (result.status !== 0 || !existsSync(motoServerPath)) {
    throw new Error(`cannot install moto into .venv (bash test/support/setup-python.sh exited ${result.status}): ${(result.stderr || result.stdout || String(result.error ?? '')).trim()}`);
  }
}

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + motoStartTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output()}`);
    try {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, motoPollIntervalMs));
  }
  throw new Error(`moto_server did not answer on ${url} within ${motoStartTimeoutMs} ms: ${output()}`);
}

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  ensureVenv();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(motoServerPath, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...fakeEnv() } });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    await waitUntilUp(url, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    port,
    clientOptions: (region) => ({ region, endpoint: url, credentials: fakeCredentials }),
    async reset() {
      await fetch(`${url}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
    },
    stop: () => stopChild(child),
  };
}

function fakeEnv(): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: fakeCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: fakeCredentials.secretAccessKey };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), motoStopTimeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Creates an Arbiter table as the stack defines it (pk/sk, on-demand, TTL on `expiresAt`). */
export async function createArbiterTable(moto: Moto, region: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient(moto.clientOptions(region));
  try {
    await client.send(new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }));
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
  } finally {
    client.destroy();
  }
}
