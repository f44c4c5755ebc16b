/**
 * The purity fence: the rules that keep shared/domain free of AWS, clocks, randomness and the
 * environment really fire there, and only there.
 *   - ESLint's Node API (`new ESLint()`, `lintText`) with the project's own eslint.config.mjs, run in
 *     a child process (jest's VM cannot import an ESM config file).
 *   - dependency-cruiser's CLI with the project's .dependency-cruiser.cjs on a temporary tree in which
 *     shared/domain reaches into shared/adapters (the real tree is never touched).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
const childTimeoutMs = 60_000;

const impureCode = [
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  'export const client = new DynamoDBClient({});',
  'export const nowMs = Date.now();',
  'export const roll = Math.random();',
  'export const table = process.env.ARBITER_TABLE;',
  '',
].join('\n');

const fenceRules = ['no-restricted-imports', 'no-restricted-syntax', 'no-restricted-globals'];

interface LintMessage { ruleId: string | null; severity: number; line: number; message: string }

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'arbiter-fence-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function lintAs(...paths: string[]): Map<string, LintMessage[]> {
  const codeFile = join(work, 'impure.ts');
  writeFileSync(codeFile, impureCode);
  const child = spawnSync(process.execPath, [join(root, 'test', 'unit', 'support', 'lint-text.mjs'), root, codeFile, ...paths], { encoding: 'utf8', timeout: childTimeoutMs });
  if (child.status !== 0) throw new Error(`lint-text.mjs failed (${child.status}): ${child.stderr}`);
  const results = JSON.parse(child.stdout) as Array<{ filePath: string; messages: LintMessage[] }>;
  return new Map(results.map((r) => [r.filePath, r.messages.filter((m) => m.ruleId !== null && fenceRules.includes(m.ruleId))]));
}

describe('purity fence', () => {
  it('ESLint: an AWS SDK import, Date.now(), Math.random() and process.env are errors in shared/domain, and allowed in shared/adapters', () => {
    const byPath = lintAs('shared/domain/zz-probe.ts', 'shared/adapters/zz-probe.ts');
    const domain = byPath.get('shared/domain/zz-probe.ts')!;
    expect(domain.map((m) => `${m.line}:${m.ruleId}:${m.severity}`)).toEqual(expect.arrayContaining([
      '1:no-restricted-imports:2',
      '3:no-restricted-syntax:2',
      '4:no-restricted-syntax:2',
      '5:no-restricted-globals:2',
    ]));
    expect(domain.find((m) => m.line === 3)!.message).toBe('No clock in the core: pass nowMs in.');
    expect(domain.find((m) => m.line === 4)!.message).toBe('No randomness in the core: pass a random source in.');
    expect(byPath.get('shared/adapters/zz-probe.ts')).toEqual([]);
  }, childTimeoutMs);

  it('dependency-cruiser: shared/domain importing from shared/adapters breaks the domain-is-pure rule', () => {
    const tree = join(work, 'tree');
    const files: Record<string, string> = {
      'shared/domain/pure.ts': "import { two } from './two';\nexport const four = two * 2;\n",
      'shared/domain/two.ts': 'export const two = 2;\n',
      'shared/adapters/clock.ts': 'export const nowMs = () => Date.now();\n',
      'shared/domain/leaky.ts': "import { nowMs } from '../adapters/clock';\nexport const at = nowMs();\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    }
    copyFileSync(join(root, '.dependency-cruiser.cjs'), join(tree, '.dependency-cruiser.cjs'));
    writeFileSync(join(tree, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'preserve', moduleResolution: 'bundler', noEmit: true }, include: ['shared'] }));
    const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
    // The `err` reporter, as `npm run lint` uses it: a non-zero exit code and one line per violation.
    const child = spawnSync(process.execPath, [cli, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'shared'], { cwd: tree, encoding: 'utf8', timeout: childTimeoutMs });
    expect(child.status).toBe(1);
    const violations = child.stdout.split('\n').filter((line) => /^\s*(error|warn)\s/.test(line));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/error domain-is-pure: shared\/domain\/leaky\.ts → shared\/adapters\/clock\.ts/);
  }, childTimeoutMs);
});
