/**
 * The local run (`arbiter start`): port in use, clean stop on a signal, the CLI against it with
 * --local, the sample apps' switches, and the delayed replication between region replicas.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOutputsFile, writeOutputsFile } from '../../cli/client/endpoints';
import { runStart } from '../../cli/commands/start';
import { exitCodes, type CommandIo } from '../../cli/io';
import { ReplicatedStore } from '../../cli/local/replicated-store';
import { startLocalRun } from '../../cli/local/local-run';
import { SampleApp } from '../../cli/local/sample-app';
import { main } from '../../cli/main';

const configPath = join(__dirname, '..', '..', 'arbiter.config.yml');
/** How long the local run may take to drain a target the CLI drained (probe interval 1 s). */
const drainedWithinMs = 10_000;
/** After the drain, how long the target must stay drained (several probe rounds and reconciles). */
const stillDrainedCheckMs = 5_000;

function captureIo(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadlineMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('arbiter start', () => {
  it('says in one line that the port is in use, and starts nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const io = captureIo();
    try {
      expect(await runStart({ configPath, port }, io)).toBe(exitCodes.usage);
    } finally {
      blocker.close();
    }
    expect(io.stderr).toEqual([`arbiter start: port ${port} on 127.0.0.1 is already in use: stop what uses it or pass --port <another>`]);
    expect(io.stdout).toEqual([]);
  });

  it('prints the dashboard URL and stops cleanly on SIGINT', async () => {
    const signals = new EventEmitter();
    const io = captureIo();
    const done = runStart({ configPath, port: 0 }, io, signals);
    await waitFor(() => io.stdout.some((l) => l.startsWith('Dashboard: ')), 10_000);
    const url = io.stdout.find((l) => l.startsWith('Dashboard: '))!.slice('Dashboard: '.length);
    expect((await fetch(url)).status).toBe(200);
    signals.emit('SIGINT');
    expect(await done).toBe(exitCodes.ok);
    expect(io.stdout.at(-1)).toBe('Stopped.');
    await expect(fetch(url)).rejects.toThrow();
    expect(signals.listenerCount('SIGINT')).toBe(0);
  }, 20_000);
});

describe('arbiter start: usage errors and a second Ctrl-C', () => {
  it('exits 2 for a bad port and for an invalid config, naming the problem and starting nothing', async () => {
    const badPort = captureIo();
    expect(await main(['start', '--port', '80a'], badPort)).toBe(exitCodes.usage);
    expect(badPort.stderr).toEqual(['arbiter: --port must be a number from 0 to 65535, got "80a"']);
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-start-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(broken, 'version: 1\nname: shop\nobservers: [us-east-1]\n');
      const invalid = captureIo();
      expect(await main(['start', '--config', broken, '--port', '0'], invalid)).toBe(exitCodes.usage);
      expect(invalid.stderr[0]!.split('\n')[0]).toBe(`arbiter start: ${broken} is not valid (run arbiter validate ${broken}):`);
      expect(invalid.stderr[0]).toMatch(/\ntargets: /);
      expect(invalid.stdout).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finishes cleanup when Ctrl-C comes again while it stops', async () => {
    const signals = new EventEmitter();
    const io = captureIo();
    // The second Ctrl-C lands while the first one's cleanup runs (as it starts): it must not cut it short.
    const out = io.out;
    io.out = (text) => {
      out(text);
      if (text === 'Stopping…') signals.emit('SIGINT');
    };
    const done = runStart({ configPath, port: 0 }, io, signals);
    await waitFor(() => io.stdout.some((l) => l.startsWith('Dashboard: ')), 10_000);
    const url = io.stdout.find((l) => l.startsWith('Dashboard: '))!.slice('Dashboard: '.length);
    signals.emit('SIGINT');
    expect(await done).toBe(exitCodes.ok);
    expect(io.stdout.slice(-2)).toEqual(['Stopping…', 'Stopped.']);
    expect(io.stderr).toEqual(['Still stopping: cleanup finishes first (servers, timers, sample apps)…']);
    await expect(fetch(url)).rejects.toThrow();
    expect(signals.listenerCount('SIGINT')).toBe(0);
  }, 20_000);
});

describe('the local run', () => {
  it('serves the operator API to the CLI with --local: status answers, a drain reaches the Route 53 stand-in', async () => {
    const run = await startLocalRun({ configPath, port: 0 });
    try {
      const base = run.url.replace(/\/$/, '');
      const status = captureIo();
      expect(await main(['status', '--local', base, '--config', configPath], status)).toBe(exitCodes.ok);
      expect(status.stderr).toEqual(['answered by us-east-1']);
      expect(status.stdout.join('\n')).toMatch(/^eu-west-1\s+serving\s+serving/m);
      // --local also takes a bare port or host:port.
      const port = new URL(run.url).port;
      for (const where of [port, `127.0.0.1:${port}`]) expect(await main(['status', '--local', where, '--config', configPath], captureIo())).toBe(exitCodes.ok);

      const drain = captureIo();
      expect(await main(['drain', 'eu-west-1', '--ttl', '10m', '--reason', 'test drain', '--local', base, '--region', 'ap-southeast-2'], drain)).toBe(exitCodes.ok);
      expect(drain.stdout.join('\n')).toMatch(/drain eu-west-1 .* answered by ap-southeast-2/);
      await waitFor(() => run.world.dns.weightOf('eu-west-1') === 0, drainedWithinMs);
      expect(run.world.dns.weightOf('us-east-1')).toBe(100);
    } finally {
      await run.stop();
    }
  }, 30_000);
});

describe('the local run: observer switches and the event stream', () => {
  it('switches an observer by POST /local/observers/<region>, refusing an unknown mode or observer, and a stopped one\'s API answers 503', async () => {
    const run = await startLocalRun({ configPath, port: 0 });
    try {
      const post = (path: string, body: unknown) => fetch(new URL(path, run.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('local/observers/eu-west-1', { mode: 'asleep' })).status).toBe(400);
      expect((await post('local/observers/mars-north-1', { mode: 'stopped' })).status).toBe(404);
      const stopped = await post('local/observers/eu-west-1', { mode: 'stopped' });
      expect(await stopped.json()).toEqual({ observer: 'eu-west-1', mode: 'stopped' });
      expect(run.world.regions.find((r) => r.observer === 'eu-west-1')!.mode).toBe('stopped');
      expect((await fetch(new URL('api/eu-west-1/status', run.url))).status).toBe(503);
      // The CLI fails over past it, naming it.
      const io = captureIo();
      expect(await main(['status', '--local', run.url.replace(/\/$/, ''), '--region', 'eu-west-1', '--config', configPath], io)).toBe(exitCodes.ok);
      expect(io.stderr.join('\n')).toMatch(/answered by us-east-1 after trying eu-west-1: HTTP 503/);
      await post('local/observers/eu-west-1', { mode: 'running' });
      expect((await fetch(new URL('api/eu-west-1/status', run.url))).status).toBe(200);
    } finally {
      await run.stop();
    }
  }, 30_000);

  it('pushes the whole state first, then only new timeline entries, as server-sent events', async () => {
    const run = await startLocalRun({ configPath, port: 0 });
    const abort = new AbortController();
    try {
      const response = await fetch(new URL('local/events', run.url), { signal: abort.signal });
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = response.body!.getReader();
      const messages: Array<{ timeline: Array<{ seq: number }>; observerStates: unknown[] }> = [];
      let buffer = '';
      const deadlineMs = Date.now() + 5_000;
      while (messages.length < 2 && Date.now() < deadlineMs) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += Buffer.from(value).toString('utf8');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = /^event: state\ndata: (.*)$/s.exec(buffer.slice(0, end));
          if (data !== null) messages.push(JSON.parse(data[1]!));
          buffer = buffer.slice(end + 2);
        }
      }
      expect(messages).toHaveLength(2);
      expect(messages[0]!.timeline.length).toBeGreaterThan(0);
      expect(messages[0]!.observerStates).toHaveLength(3);
      const lastSeq = messages[0]!.timeline.at(-1)!.seq;
      expect(messages[1]!.timeline.every((e) => e.seq > lastSeq)).toBe(true);
    } finally {
      abort.abort();
      await run.stop();
    }
  }, 30_000);
});

describe('the local run, failing over', () => {
  it('drains a region that goes down and holds it drained, without flapping back while it stays down', async () => {
    const run = await startLocalRun({ configPath, port: 0 });
    try {
      run.samples.find((s) => s.region === 'eu-west-1')!.mode = 'down';
      await waitFor(() => run.world.dns.weightOf('eu-west-1') === 0, drainedWithinMs);
      await new Promise((resolve) => setTimeout(resolve, stillDrainedCheckMs));
      const euWeights = run.world.dns.changes.flatMap((c) => c.changes).filter((c) => c.record.setIdentifier === 'eu-west-1').map((c) => c.record.weight);
      expect(euWeights.length).toBeGreaterThan(0);
      expect(euWeights.every((w) => w === 0)).toBe(true);
      expect(run.world.dns.weightOf('us-east-1')).toBe(100);
    } finally {
      await run.stop();
    }
  }, 30_000);
});

describe('sample app', () => {
  it('answers healthy, down and flaky as switched', async () => {
    let next = 0;
    const answers = [0.1, 0.9];
    const app = new SampleApp('eu-west-1', () => answers[next++ % 2]!);
    const url = await app.start();
    try {
      expect(await (await fetch(url)).json()).toEqual({ status: 'ok', region: 'eu-west-1' });
      app.mode = 'down';
      expect((await fetch(url)).status).toBe(503);
      app.mode = 'flaky';
      expect([(await fetch(url)).status, (await fetch(url)).status]).toEqual([503, 200]);
    } finally {
      await app.stop();
    }
  });
});

describe('replicated store (local run)', () => {
  it('shows a write on a peer replica only after the replication delay', async () => {
    const a = new ReplicatedStore('us-east-1', 200);
    const b = new ReplicatedStore('eu-west-1', 200);
    a.connect([a, b]);
    b.connect([a, b]);
    await a.putProposal({ observer: 'us-east-1', seq: 1, createdMs: 1, targets: {}, refusals: [] });
    expect(b.proposals.has('us-east-1')).toBe(false);
    await waitFor(() => b.proposals.has('us-east-1'), 2_000);
    expect(a.replicationErrors + b.replicationErrors).toBe(0);
    a.stop();
    b.stop();
  });
});

describe('outputs file (.arbiter/<stage>.json)', () => {
  it('round-trips the API URLs and rejects a bad stage name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-outputs-'));
    try {
      const path = writeOutputsFile('prod', { 'us-east-1': 'https://a.execute-api.us-east-1.amazonaws.com/prod' }, dir);
      expect(readOutputsFile(path)).toEqual([{ region: 'us-east-1', url: 'https://a.execute-api.us-east-1.amazonaws.com/prod' }]);
      expect(() => writeOutputsFile('Prod!', {}, dir)).toThrow('--stage must be lower-case letters, digits or dashes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
