/**
 * Third-party scanners over every template Arbiter deploys: the region stacks of a weight-only
 * config (with its own notifications topic) and of a data-plane config (gate votes),
 * and the data-plane health-check stack. checkov: no failed check outside
 * test/infra/checkov-allowlist.txt (each entry with its Arbiter-specific reason, and each entry
 * still needed). parliament: no finding on any IAM policy document (roles, trust policies, the bus
 * policy, the queue policy). Both run from .venv/scanners (test/support/setup-python.sh).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir, runPackage } from '../../cli/commands/package';
import { quietOsls } from './quiet-osls';
import { healthCheckStackTemplate } from '../../resources/dataplane-resources';
import { loadConfigFile } from '../../shared/adapters/config/config-file';
import { resolveIntrinsics } from '../support/cfn-resolve';
import type { Template } from './template-checks';

const scanners = '.venv/scanners/bin';
const packageTimeoutMs = 240_000;
const scanTimeoutMs = 180_000;
const account = '123456789012';
const configs = [
  { file: 'test/infra/fixtures/weight-only.config.yml', stage: 'scanweights' },
  { file: 'test/infra/fixtures/infra.config.yml', stage: 'scandataplane' },
];
const allowListFile = 'test/infra/checkov-allowlist.txt';

interface Scanned { file: string; region: string; template: Template }
const scanned: Scanned[] = [];


beforeAll(async () => {
  if (!existsSync(join(scanners, 'checkov')) || !existsSync(join(scanners, 'parliament'))) execFileSync('bash', ['test/support/setup-python.sh'], { stdio: 'inherit', timeout: scanTimeoutMs });
  for (const { file, stage } of configs) {
    rmSync(join('dist', 'package', stage), { recursive: true, force: true });
    const messages: string[] = [];
    const code = await runPackage({ configFile: file, stage, run: quietOsls(packageTimeoutMs) }, { out: (t) => messages.push(t), err: (t) => messages.push(t) });
    if (code !== 0) throw new Error(`packaging ${file} failed:\n${messages.join('\n')}`);
    const loaded = loadConfigFile(file);
    if (!loaded.ok) throw new Error(`fixture ${file} is invalid`);
    for (const region of loaded.config.observers) {
      const path = join(packageDir(stage, region), 'cloudformation-template-update-stack.json');
      scanned.push({ file: path, region, template: JSON.parse(readFileSync(path, 'utf8')) as Template });
    }
    if (stage === 'scandataplane') {
      const hosts = Object.fromEntries(loaded.config.observers.map((r) => [r, `gate${r.replace(/-/g, '')}abcdefghijklmnop.lambda-url.${r}.on.aws`]));
      const dir = join('dist', 'package', stage, 'health-checks');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, 'template.json');
      writeFileSync(path, healthCheckStackTemplate(loaded.config, hosts));
      scanned.push({ file: path, region: loaded.config.observers[0]!, template: JSON.parse(readFileSync(path, 'utf8')) as Template });
    }
  }
}, packageTimeoutMs * 2 + scanTimeoutMs);

interface AllowEntry { check: string; resource: RegExp; pattern: string; reason: string }

function readAllowList(): AllowEntry[] {
  return readFileSync(allowListFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const [check, pattern, ...reason] = line.split(/\s+/);
    const resource = new RegExp(`^${pattern!.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return { check: check!, resource, pattern: pattern!, reason: reason.join(' ') };
  });
}

type Failed = { check_id: string; resource: string; file_path: string; check_name: string };

function runCheckov(files: string[]): Failed[] {
  let output: string;
  try {
    output = execFileSync(join(scanners, 'checkov'), [...files.flatMap((f) => ['-f', f]), '--framework', 'cloudformation', '--skip-download', '-o', 'json', '--quiet', '--compact'], { encoding: 'utf8', timeout: scanTimeoutMs, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { status: number; stdout: string; stderr: string };
    // checkov exits 1 when a check fails; anything else is the tool failing.
    if (failure.status !== 1) throw new Error(`checkov exited ${failure.status}: ${failure.stderr}`);
    output = failure.stdout;
  }
  const reports = ([] as Array<{ results: { failed_checks: Failed[] }; summary: { parsing_errors: number } }>).concat(JSON.parse(output));
  for (const report of reports) expect(report.summary.parsing_errors).toBe(0);
  return reports.flatMap((r) => r.results.failed_checks);
}

describe('checkov on every packaged template', () => {
  it('fails no check outside the allow-list, and every allow-list entry has a reason and is still needed', () => {
    const allow = readAllowList();
    const failed = runCheckov(scanned.map((s) => s.file));
    expect(failed.length).toBeGreaterThan(0);
    const outside = failed.filter((f) => !allow.some((a) => a.check === f.check_id && a.resource.test(f.resource))).map((f) => `${f.check_id} ${f.resource} (${f.check_name})`);
    expect([...new Set(outside)]).toEqual([]);
    const unused = allow.filter((a) => !failed.some((f) => a.check === f.check_id && a.resource.test(f.resource))).map((a) => `${a.check} ${a.pattern}`);
    expect(unused).toEqual([]);
    for (const entry of allow) expect({ entry: `${entry.check} ${entry.pattern}`, reasoned: entry.reason.length >= 30 }).toEqual({ entry: `${entry.check} ${entry.pattern}`, reasoned: true });
  }, scanTimeoutMs);
});

/**
 * Every permission policy in a template: role policies, the bus policy, queue policies. Trust
 * policies (AssumeRolePolicyDocument) are left out: they have no Resource by definition, and
 * parliament, an analyser of permission policies, calls each one MALFORMED.
 */
function policyDocuments({ template, region, file }: Scanned): Array<{ where: string; policy: unknown }> {
  const found: Array<{ where: string; policy: unknown }> = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    const at = `${file} ${id}`;
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (p.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }> | undefined) ?? []) found.push({ where: `${at} ${policy.PolicyName}`, policy: policy.PolicyDocument });
    }
    if (resource.Type === 'AWS::Events::EventBus' && p.Policy !== undefined) found.push({ where: at, policy: p.Policy });
    if (resource.Type === 'AWS::SQS::QueuePolicy' || resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::SNS::TopicPolicy') found.push({ where: at, policy: p.PolicyDocument });
  }
  return found.map((d) => ({ ...d, policy: resolveIntrinsics(d.policy, { account, region, resources: template.Resources }) }));
}

describe('parliament on every IAM policy document', () => {
  it('finds nothing in any role, bus or queue policy', () => {
    const documents = scanned.flatMap(policyDocuments);
    // Six function roles (seven with the gate), a forwarding role, the bus and the queue policy per region stack.
    expect(documents.length).toBeGreaterThanOrEqual((scanned.length - 1) * 9);
    const output = execFileSync(join(scanners, 'python'), ['test/support/parliament-policies.py'], { input: JSON.stringify(documents), encoding: 'utf8', timeout: scanTimeoutMs, maxBuffer: 16 * 1024 * 1024 });
    expect(JSON.parse(output)).toEqual([]);
  }, scanTimeoutMs);

  it('reports a finding in a loosened policy (a misspelt action on "*"): the analyser runs on what it is given', () => {
    const loosened = [{ where: 'loosened', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItme'], Resource: '*' }] } }];
    const output = execFileSync(join(scanners, 'python'), ['test/support/parliament-policies.py'], { input: JSON.stringify(loosened), encoding: 'utf8', timeout: scanTimeoutMs });
    expect((JSON.parse(output) as Array<{ issue: string }>).map((f) => f.issue)).toContain('UNKNOWN_ACTION');
  }, scanTimeoutMs);
});
