/**
 * Bundle size and cold module initialisation of every Arbiter function, from the real artifacts:
 * the home region is packaged offline with osls (as `npm run package` does), each zip is unpacked,
 * and its handler module is required in a fresh Node process (median of `initRuns`). The AWS SDK
 * is external in the bundle, as on Lambda, where the runtime provides it: here NODE_PATH points at
 * the project's node_modules so the same SDK packages load. Targets: ≤ 400 KB zipped, ≤ 150 ms init.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageDir, runPackage } from '../cli/commands/package';
import { loadConfigFile } from '../shared/adapters/config/config-file';
import { functionSizing, arbiterFunctionNames, lambdaTracingEnabled } from '../shared/domain/cost/function-sizing';

export const zippedKbMax = 400;
export const initMsMax = 150;
const initRuns = 5;
const initTimeoutMs = 30_000;
const stage = 'bench';
const configFile = 'arbiter.config.yml';

/**
 * Requires the module in a fresh process: the milliseconds `require` took (wall), and the CPU
 * milliseconds it used (user + system), which other work on a shared machine disturbs far less.
 */
function measureInitMs(moduleFile: string, env: Record<string, string>): { wallMs: number; cpuMs: number } {
  const script = `const c=process.cpuUsage();const t=process.hrtime.bigint();require(${JSON.stringify(moduleFile)});const w=Number(process.hrtime.bigint()-t)/1e6;const u=process.cpuUsage(c);process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(u.user+u.system)/1000}));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: initTimeoutMs })) as { wallMs: number; cpuMs: number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<void> {
  const loaded = loadConfigFile(configFile);
  if (!loaded.ok) throw new Error(`${configFile} is invalid`);
  const region = loaded.config.observers[0]!;
  const code = await runPackage({ configFile, stage, regions: [region] }, { out: () => undefined, err: (t) => process.stderr.write(`${t}\n`) });
  if (code !== 0) throw new Error('packaging failed');
  const work = mkdtempSync(join(tmpdir(), 'arbiter-bundles-'));
  const rows: Array<{ function: string; zippedKb: number; unzippedKb: number; initMsMedian: number; initMsRuns: number[]; initCpuMsMedian: number; withinTargets: boolean }> = [];
  try {
    for (const fn of arbiterFunctionNames) {
      const zip = join(packageDir(stage, region), `${fn}.zip`);
      const dir = join(work, fn);
      mkdirSync(dir);
      execFileSync('unzip', ['-q', zip, '-d', dir]);
      const moduleFile = join(dir, `${functionSizing[fn].handler.replace(/\.[A-Za-z]+$/, '')}.js`);
      const env = { NODE_PATH: resolve('node_modules'), LAMBDA_TASK_ROOT: dir, AWS_REGION: region, ARBITER_TABLE: 'arbiter-shop-bench', ARBITER_BUS: 'arbiter-shop-bench', ARBITER_STAGE: stage, POWERTOOLS_SERVICE_NAME: 'arbiter', AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
        // As the stack sets it (serverless.yml provider.environment): tracing off by default, so the Tracer is not loaded.
        POWERTOOLS_TRACE_ENABLED: String(lambdaTracingEnabled) };
      const measured = Array.from({ length: initRuns }, () => measureInitMs(moduleFile, env));
      const initMsRuns = measured.map((m) => m.wallMs);
      const zippedKb = statSync(zip).size / 1024;
      const initMsMedian = median(initMsRuns);
      const initCpuMsMedian = median(measured.map((m) => m.cpuMs));
      rows.push({ function: fn, zippedKb: Math.round(zippedKb), unzippedKb: Math.round(statSync(moduleFile).size / 1024), initMsMedian: Math.round(initMsMedian), initMsRuns: initMsRuns.map(Math.round), initCpuMsMedian: Math.round(initCpuMsMedian), withinTargets: zippedKb <= zippedKbMax && initMsMedian <= initMsMax });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs (init times scale with it)\n`);
  process.stdout.write(`function   zipped KB  bundle KB  init ms (median of ${initRuns})  init CPU ms  targets (≤ ${zippedKbMax} KB, ≤ ${initMsMax} ms)\n`);
  for (const r of rows) process.stdout.write(`${r.function.padEnd(9)}  ${String(r.zippedKb).padStart(9)}  ${String(r.unzippedKb).padStart(9)}  ${String(r.initMsMedian).padStart(22)}  ${String(r.initCpuMsMedian).padStart(11)}  ${r.withinTargets ? 'ok' : 'MISSED'}\n`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/bundles.json', `${JSON.stringify({ node: process.version, region, loadAverage1m: loadavg()[0], cpus: availableParallelism(), targets: { zippedKbMax, initMsMax }, functions: rows }, null, 2)}\n`);
}
