/**
 * `--profile <name>` as the AWS CLI reads it: a `[profile name]` section of the config file
 * (`AWS_CONFIG_FILE`, default ~/.aws/config) or a `[name]` section of the credentials file
 * (`AWS_SHARED_CREDENTIALS_FILE`, default ~/.aws/credentials). A profile in neither is a usage error
 * naming it and the profiles that exist, before any AWS call.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../io';

/** Profiles listed in an error message at most. */
export const profilesListedMax = 20;

function sections(path: string, configStyle: boolean): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line)?.[1];
    if (header === undefined) continue;
    if (!configStyle) names.push(header);
    else if (header === 'default') names.push('default');
    else if (header.startsWith('profile ')) names.push(header.slice('profile '.length).trim());
  }
  return names;
}

/** Every profile the config and credentials files name. */
export function knownProfiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const configFile = env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  return [...new Set([...sections(configFile, true), ...sections(credentialsFile, false)])];
}

/**
 * Throws a UsageError naming `profile` when neither file has it.
 * @example checkProfile('prod-admin') // throws: profile "prod-admin" is not in ~/.aws/config or ~/.aws/credentials (known: default, dev)
 */
export function checkProfile(profile: string, env: NodeJS.ProcessEnv = process.env): void {
  const known = knownProfiles(env);
  if (known.includes(profile)) return;
  const files = `${env.AWS_CONFIG_FILE ?? '~/.aws/config'} or ${env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials'}`;
  const listed = known.length === 0 ? 'no profile is configured' : `known: ${known.slice(0, profilesListedMax).join(', ')}${known.length > profilesListedMax ? ', …' : ''}`;
  throw new UsageError(`--profile: profile "${profile}" is not in ${files} (${listed})`);
}
