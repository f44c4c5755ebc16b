/**
 * The built CLI (cli/bin/build.js, run by `prepare` at npm install): one bundle that answers without
 * compiling TypeScript, and whose sources still find the files next to them (the simulator's
 * scenarios, the dashboard's assets) from wherever the bundle is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
let dir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arbiter-build-'));
  bundle = join(dir, 'arbiter.js');
  const built = spawnSync(process.execPath, [join(root, 'cli', 'bin', 'build.js'), '--outfile', bundle], { encoding: 'utf8', timeout: 60_000 });
  expect(built.status).toBe(0);
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle's main() in a fresh node, as cli/bin/arbiter.js does (npm packages from the project's node_modules). */
function runBundle(...argv: string[]) {
  const script = `require(${JSON.stringify(bundle)}).main(${JSON.stringify(argv)}).then((code) => process.exit(code))`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000, cwd: root, env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
}

describe('the built CLI', () => {
  it('answers --version with package.json\'s version', () => {
    const r = runBundle('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('still finds the simulator\'s scenarios next to their source, not next to the bundle', () => {
    const r = runBundle('simulate', '--scenario', 'no-such-scenario', '--seed', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no scenario named no-such-scenario \(known: [a-z-]+, .*failover-hard-outage/);
  });

  it('resolves the dashboard assets to cli/local/dashboard', () => {
    const text = readFileSync(bundle, 'utf8');
    const dirs = [...text.matchAll(/__arbiterSourceDir\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(new Set(dirs)).toEqual(new Set(['cli/local', 'sim']));
    for (const d of dirs) expect(existsSync(join(root, d))).toBe(true);
    expect(existsSync(join(root, 'cli', 'local', 'dashboard', 'index.html'))).toBe(true);
  });

  it('validates a config with messages on stderr and exit code 2', () => {
    const r = runBundle('validate', join(root, 'test', 'fixtures', 'configs', 'empty.yml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the file is empty');
  });
});
