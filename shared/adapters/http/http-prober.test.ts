import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpointSchema } from '../../domain';
import { bodyBytesMax, classifyError, HttpProber } from './http-prober';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case '/ok': res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'); break;
      case '/slow': setTimeout(() => res.writeHead(200).end('late'), 1_000); break;
      case '/big': res.writeHead(200).end('a'.repeat(bodyBytesMax * 4)); break;
      case '/moved': res.writeHead(302, { location: '/ok' }).end(); break;
      case '/loop': res.writeHead(302, { location: '/loop' }).end(); break;
      case '/reset': req.socket.destroy(); break;
      default: res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const endpoint = (path: string, extra: Record<string, unknown> = {}) => endpointSchema.parse({ url: `${base}${path}`, timeoutMs: 300, ...extra });

describe('HttpProber', () => {
  const prober = new HttpProber({ observer: 'eu-west-1' });

  it('reports status, body and a measured latency for an answer', async () => {
    const result = await prober.probe('us-east-1', 0, endpoint('/ok'));
    expect(result).toMatchObject({ target: 'us-east-1', endpointIndex: 0, status: 200, bodyExcerpt: '{"status":"ok"}' });
    expect(result.error).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeLessThan(300);
  });

  it('gives up at the endpoint timeout and says so', async () => {
    const result = await prober.probe('us-east-1', 0, endpoint('/slow'));
    expect(result.error?.kind).toBe('timeout');
    expect(result.status).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    expect(result.latencyMs).toBeLessThan(900);
  });

  it('reads at most 5,120 bytes of the body', async () => {
    const result = await prober.probe('us-east-1', 0, endpoint('/big'));
    expect(result.bodyExcerpt).toHaveLength(bodyBytesMax);
  });

  it('does not follow a redirect unless the endpoint asks to, and then within a bound', async () => {
    expect((await prober.probe('us-east-1', 0, endpoint('/moved'))).status).toBe(302);
    expect((await prober.probe('us-east-1', 0, endpoint('/moved', { followRedirects: true }))).status).toBe(200);
    expect((await prober.probe('us-east-1', 0, endpoint('/loop', { followRedirects: true }))).error?.kind).toBe('redirect');
  });

  it('classifies a refused connection, a reset and a TLS failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await prober.probe('us-east-1', 0, endpointSchema.parse({ url: `http://127.0.0.1:${port}/`, timeoutMs: 300 }))).error?.kind).toBe('connect');
    expect((await prober.probe('us-east-1', 0, endpoint('/reset'))).error?.kind).toBe('reset');
    const tls = await prober.probe('us-east-1', 0, endpointSchema.parse({ url: base.replace('http:', 'https:') + '/ok', timeoutMs: 300 }));
    expect(tls.error?.kind).toBe('tls');
  });

  it('maps DNS and certificate error codes to their kinds', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyError(coded('ENOTFOUND'))).toBe('dns');
    expect(classifyError(coded('CERT_HAS_EXPIRED'))).toBe('tls');
    expect(classifyError(coded('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe('tls');
    expect(classifyError(coded('EWHATEVER'))).toBe('other');
  });
});
