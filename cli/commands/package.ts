/**
 * `arbiter package [--stage]` (and `npm run package`): packages the stack of every observer region
 * offline with osls, one after another (serverless-esbuild shares one work folder), each into
 * dist/package/<stage>/<region>/. Fake credentials and no metadata lookups: nothing reaches AWS.
 */
import { spawn } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { formatProblems, loadConfigFile } from '../../shared/adapters/config/config-file';
import type { ValidConfig } from '../../shared/domain';
import { planDeployment, type DeploymentPlan } from '../../resources/stack-plan';
import { exitCodes, type CommandIo } from '../io';

/** One osls run may take this long before it is killed (packaging takes about 30 s on 2 busy cores). */
export const oslsTimeoutMs = 10 * 60_000;
export const packageRoot = join('dist', 'package');

export interface OslsRun {
  args: string[];
  env: Record<string, string>;
}
/** Runs osls with the arguments and extra environment; resolves to its exit code. Tests inject a fake. */
export type OslsRunner = (run: OslsRun) => Promise<number>;

/** The real runner: `node_modules/.bin/osls`, output passed through, killed after oslsTimeoutMs. */
export const spawnOsls: OslsRunner = ({ args, env }) =>
  new Promise((done) => {
    const child = spawn(resolve('node_modules/.bin/osls'), args, { stdio: 'inherit', env: { ...process.env, ...env }, timeout: oslsTimeoutMs, killSignal: 'SIGTERM' });
    child.on('error', () => done(127));
    child.on('close', (code) => done(code ?? 1));
  });

/** Environment for an offline package: fake credentials, no instance metadata, no telemetry. */
export function offlineEnv(configFile: string): Record<string, string> {
  return {
    ARBITER_CONFIG_FILE: configFile, AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING', AWS_SECRET_ACCESS_KEY: 'offline-packaging-fake-secret', AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off',
  };
}

export function packageDir(stage: string, region: string): string {
  return join(packageRoot, stage, region);
}

/** Loads the config and the plan; the config must sit inside the project (it is shipped in every bundle). */
export function loadPlan(configFile: string, stage: string): { config: ValidConfig; plan: DeploymentPlan; configFile: string } {
  const configRelative = relative(process.cwd(), resolve(configFile));
  if (configRelative.startsWith('..')) throw new Error(`the config ${configFile} must be inside the project folder (${process.cwd()}): it is shipped in every Lambda bundle`);
  const loaded = loadConfigFile(configFile);
  if (!loaded.ok) throw new Error(`${configFile} is not valid:\n${formatProblems(loaded.errors)}`);
  return { config: loaded.config, plan: planDeployment(loaded.config, stage), configFile: configRelative };
}

export interface PackageOptions {
  configFile: string;
  stage: string;
  run?: OslsRunner;
  /** Only these observer regions (default: all). */
  regions?: readonly string[];
}

/**
 * Packages every observer region in plan order; stops at the first failure.
 * @example await runPackage({ configFile: 'arbiter.config.yml', stage: 'prod' }, processIo) // 0
 */
export async function runPackage(options: PackageOptions, io: CommandIo): Promise<number> {
  let loaded;
  try {
    loaded = loadPlan(options.configFile, options.stage);
  } catch (error) {
    io.err(`arbiter package: ${(error as Error).message}`);
    return exitCodes.usage;
  }
  const run = options.run ?? spawnOsls;
  const unknown = (options.regions ?? []).filter((r) => !loaded.plan.stacks.some((s) => s.region === r));
  if (unknown.length > 0) {
    io.err(`arbiter package: ${unknown.join(', ')} is not an observer region (${loaded.plan.stacks.map((s) => s.region).join(', ')})`);
    return exitCodes.usage;
  }
  const stacks = loaded.plan.stacks.filter((s) => options.regions === undefined || options.regions.includes(s.region));
  for (const stack of stacks) {
    const dir = packageDir(options.stage, stack.region);
    io.out(`packaging ${stack.stackName} for ${stack.region}${stack.home ? ' (home: owns the Global Table)' : ''} → ${dir}`);
    const code = await run({ args: ['package', '--stage', options.stage, '--region', stack.region, '--package', dir], env: offlineEnv(loaded.configFile) });
    if (code !== 0) {
      io.err(`arbiter package: osls package failed for ${stack.region} (exit ${code}); regions after it were not packaged`);
      return exitCodes.failure;
    }
  }
  io.out(`packaged ${stacks.length} regions under ${join(packageRoot, options.stage)}`);
  return exitCodes.ok;
}
