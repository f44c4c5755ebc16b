/**
 * The dashboard in Chromium headless against the local run: break a region, watch it drained,
 * heal it, watch it restored. Screenshots go to test-output/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startLocalRun, type LocalRun } from '../../cli/local/local-run';
import { chromiumArgs, ensureChromium } from './ensure-chromium';

/** From the sample app going down to weight 0: detection (2 failures at 1 s) + quorum + apply, with slack for 2 shared cores. */
const drainedWithinMs = 15_000;
/** From healing to weight 100: recovery threshold + recoveryHoldMs + cooldown, with slack. */
const restoredWithinMs = 25_000;
const outputDir = join(__dirname, '..', '..', 'test-output');

describe('dashboard (Chromium headless, local run)', () => {
  let run: LocalRun;
  let context: BrowserContext;
  let page: Page;
  let profileDir: string;

  beforeAll(async () => {
    const executablePath = ensureChromium();
    run = await startLocalRun({ configPath: join(__dirname, '..', '..', 'arbiter.config.yml'), port: 0 });
    profileDir = mkdtempSync(join(tmpdir(), 'arbiter-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath, headless: true, args: chromiumArgs, viewport: { width: 1400, height: 1050 } });
    page = await context.newPage();
    mkdirSync(outputDir, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await run?.stop();
    if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
  });

  const weightOf = (region: string) => page.locator(`[data-weight="${region}"]`);
  const waitForWeight = (region: string, weight: string, timeout: number) => page.locator(`[data-weight="${region}"]:text-is("${weight}")`).waitFor({ timeout });

  it('shows every region serving, then drains a broken region and restores it once healed', async () => {
    await page.goto(run.url);
    await page.locator('[data-cell="us-east-1>eu-west-1"].healthy').waitFor({ timeout: 10_000 });
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) expect(await weightOf(region).textContent()).toBe('100');

    const brokeMs = Date.now();
    await page.click('button[data-mode="down"][data-region="eu-west-1"]');
    await waitForWeight('eu-west-1', '0', drainedWithinMs);
    const drainMs = Date.now() - brokeMs;
    expect(await page.locator('[data-state="eu-west-1"]').textContent()).toBe('drained');
    expect(await page.locator('[data-cell="us-east-1>eu-west-1"]').getAttribute('class')).toContain('unhealthy');
    expect(await weightOf('us-east-1').textContent()).toBe('100');
    await page.locator('#timeline .decision').first().waitFor({ timeout: 5_000 });
    expect(run.world.dns.weightOf('eu-west-1')).toBe(0);
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: join(outputDir, 'dashboard-drained.png'), fullPage: true });

    const healedMs = Date.now();
    await page.click('button[data-mode="healthy"][data-region="eu-west-1"]');
    await waitForWeight('eu-west-1', '100', restoredWithinMs);
    const restoreMs = Date.now() - healedMs;
    expect(await page.locator('[data-state="eu-west-1"]').textContent()).toBe('serving');
    await page.screenshot({ path: join(outputDir, 'dashboard-restored.png'), fullPage: true });
    process.stdout.write(`dashboard: drained ${drainMs} ms after breaking, restored ${restoreMs} ms after healing\n`);
  }, 90_000);

  it('drains a region from its Drain button through the operator API and restores it with Restore', async () => {
    await page.click('button[data-action="drain"][data-region="ap-southeast-2"]');
    await waitForWeight('ap-southeast-2', '0', drainedWithinMs);
    await page.locator('[data-override="ap-southeast-2"]').waitFor({ timeout: 5_000 });
    await page.click('button[data-action="restore"][data-region="ap-southeast-2"]');
    await waitForWeight('ap-southeast-2', '100', restoredWithinMs);
    expect(await page.locator('[data-override="ap-southeast-2"]').count()).toBe(0);
  }, 60_000);
});
