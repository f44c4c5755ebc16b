/**
 * Makes sure Debian's Chromium is at /usr/bin/chromium, installing it with apt-get when it is
 * missing (bounded time). Fails with one clear message when it cannot.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const chromiumPath = '/usr/bin/chromium';
/** apt-get update + install, each. */
export const aptTimeoutMs = 240_000;

/** Flags from TOOLING.md: headless, and no background networking into the closed network. */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function ensureChromium(): string {
  if (existsSync(chromiumPath)) return chromiumPath;
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: aptTimeoutMs });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', timeout: aptTimeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch (error) {
    throw new Error(`Chromium is missing at ${chromiumPath} and 'apt-get install -y chromium' failed (${(error as Error).message.split('\n')[0]}); install it as root and rerun`);
  }
  if (!existsSync(chromiumPath)) throw new Error(`apt-get installed chromium but ${chromiumPath} does not exist`);
  return chromiumPath;
}
