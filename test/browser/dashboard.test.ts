/**
 * The dashboard in Chromium headless against the local run, clicked as a person clicks (the
 * button pressed and held ~180 ms, then released): break a region, watch it drained, heal it;
 * drain, restore, pin and end a pin with the inputs' TTL and reason; every click of a burst lands
 * while the page updates; stop or partition an observer; a refused drill reads "refused"; a lost
 * connection greys the page and disables its buttons. Screenshots go to test-output/ and
 * docs/dashboard.png.
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
/** How long a person holds a button down. */
const pressHoldMs = 180;
/** Clicks in the burst that must all land. */
const burstClicks = 20;
/** A partitioned observer judges every target unhealthy within a few probe rounds; watched this long. */
const partitionWatchMs = 6_000;
const outputDir = join(__dirname, '..', '..', 'test-output');
const docsShot = join(__dirname, '..', '..', 'docs', 'dashboard.png');

describe('dashboard (Chromium headless, local run)', () => {
  let run: LocalRun;
  let context: BrowserContext;
  let page: Page;
  let profileDir: string;
  const posts: string[] = [];

  beforeAll(async () => {
    const executablePath = ensureChromium();
    run = await startLocalRun({ configPath: join(__dirname, '..', '..', 'arbiter.config.yml'), port: 0 });
    profileDir = mkdtempSync(join(tmpdir(), 'arbiter-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath, headless: true, args: chromiumArgs, viewport: { width: 1400, height: 1050 } });
    page = await context.newPage();
    page.on('request', (request) => {
      if (request.method() !== 'GET') posts.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    mkdirSync(outputDir, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await run?.stop();
    if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
  });

  /** Presses and holds the button, as a person does, then releases it. */
  async function press(selector: string): Promise<void> {
    const target = page.locator(selector);
    await target.scrollIntoViewIfNeeded();
    const box = await target.boundingBox();
    if (box === null) throw new Error(`${selector} is not on screen`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.waitForTimeout(pressHoldMs);
    await page.mouse.up();
  }
  /** The dashboard, opened once (each test may also run alone). */
  async function open(): Promise<void> {
    if (!page.url().startsWith(run.url)) await page.goto(run.url);
    await page.locator('body:not(.stale)').waitFor({ timeout: 10_000 });
  }
  const weightOf = (region: string) => page.locator(`[data-weight="${region}"]`);
  const waitForWeight = (region: string, weight: string, timeout: number) => page.locator(`[data-weight="${region}"]:text-is("${weight}")`).waitFor({ timeout });
  const postsTo = (path: string) => posts.filter((p) => p.endsWith(path) || p.includes(`${path}/`)).length;

  it('shows every region serving, then drains a broken region and restores it once healed', async () => {
    await open();
    await page.locator('[data-cell="us-east-1>eu-west-1"].healthy').waitFor({ timeout: 10_000 });
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) expect(await weightOf(region).textContent()).toBe('100');
    expect(await page.locator('#clock').textContent()).toMatch(/^\d{2}:\d{2}:\d{2} UTC$/);

    const brokeMs = Date.now();
    await press('button[data-mode="down"][data-region="eu-west-1"]');
    await waitForWeight('eu-west-1', '0', drainedWithinMs);
    const drainMs = Date.now() - brokeMs;
    expect(await page.locator('[data-state="eu-west-1"]').textContent()).toBe('drained');
    expect(await page.locator('[data-cell="us-east-1>eu-west-1"]').getAttribute('class')).toContain('unhealthy');
    expect(await page.locator('[data-cell="us-east-1>us-east-1"]').textContent()).toMatch(/p50 \d+ \/ 300 ms/);
    expect(await weightOf('us-east-1').textContent()).toBe('100');
    await page.locator('#timeline .decision').first().waitFor({ timeout: 5_000 });
    // The applied record reaches the API observer's replica after replication (a few hundred ms).
    await page.locator('#safety', { hasText: /Route 53change C\d+: INSYNC, for d-/ }).waitFor({ timeout: 5_000 });
    expect(run.world.dns.weightOf('eu-west-1')).toBe(0);
    await page.locator('[data-beats="us-east-1"]', { hasText: /verdicts written \(probe\) \d+ s ago/ }).waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-beats="us-east-1"] .stale-beat').count()).toBe(0);
    await page.waitForTimeout(1_500);
    await page.locator('#toast').evaluate((toast) => toast.classList.remove('show'));
    await page.waitForTimeout(400); // the toast's fade
    await page.screenshot({ path: docsShot, fullPage: true });

    // While eu-west-1 is drained, an evacuate drill of another target is refused, and reads so.
    await press('button[data-action="drill"][data-drill-mode="evacuate"][data-region="ap-southeast-2"]');
    await page.locator('#drills [data-drill-status="refused"]').waitFor({ timeout: 5_000 });
    expect(await page.locator('#drills [data-drill-status="refused"] .title').first().textContent()).toMatch(/^evacuate ap-southeast-2: refused/);
    await page.locator('#timeline li.drill', { hasText: 'refused' }).first().waitFor({ timeout: 5_000 });
    expect(await page.locator('#problem-list').textContent()).toContain('drill refused: otherDrained');
    await page.screenshot({ path: join(outputDir, 'dashboard-drained.png'), fullPage: true });

    const healedMs = Date.now();
    await press('button[data-mode="healthy"][data-region="eu-west-1"]');
    await page.locator('[data-countdowns="eu-west-1"] .hold').waitFor({ timeout: restoredWithinMs });
    await waitForWeight('eu-west-1', '100', restoredWithinMs);
    const restoreMs = Date.now() - healedMs;
    expect(await page.locator('[data-state="eu-west-1"]').textContent()).toBe('serving');
    await page.screenshot({ path: join(outputDir, 'dashboard-restored.png'), fullPage: true });
    process.stdout.write(`dashboard: drained ${drainMs} ms after breaking, restored ${restoreMs} ms after healing\n`);
  }, 90_000);

  it('drains a region with the TTL and reason typed in, restores it with Restore, and audits both', async () => {
    await open();
    await page.fill('#ttl', '7m');
    await page.fill('#reason', 'maintenance window 42');
    await press('button[data-action="drain"][data-region="ap-southeast-2"]');
    await page.locator('[data-override="ap-southeast-2"]').waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-override="ap-southeast-2"] .detail').textContent()).toContain('maintenance window 42');
    expect(await page.locator('[data-countdowns="ap-southeast-2"] .override').textContent()).toMatch(/^drain override ends in (7m 00s|6m \d\ds)$/);
    await waitForWeight('ap-southeast-2', '0', drainedWithinMs);
    await press('button[data-action="restore"][data-region="ap-southeast-2"]');
    await waitForWeight('ap-southeast-2', '100', restoredWithinMs);
    expect(await page.locator('[data-override="ap-southeast-2"]').count()).toBe(0);
    const audit = await page.locator('#audit tbody').textContent();
    expect(audit).toContain('drain ap-southeast-2 for 420 s: maintenance window 42');
    expect(audit).toContain('ended drain of ap-southeast-2');
  }, 60_000);

  it('pins a region serving with a banner that says automation is off, and ends the pin from it', async () => {
    await open();
    await press('button[data-action="pin"][data-region="us-east-1"]');
    const banner = page.locator('#pins [data-pin="us-east-1"]');
    await banner.waitFor({ timeout: 5_000 });
    expect(await banner.textContent()).toMatch(/PINNED SERVING: us-east-1 until \d{2}:\d{2}:\d{2} UTC .*Automation is OFF for us-east-1/);
    await press('#pins [data-pin="us-east-1"] button[data-action="end"]');
    await banner.waitFor({ state: 'detached', timeout: 5_000 });
    expect(run.world.regions[0]!.store.overrideEnds.size).toBeGreaterThan(0);
  }, 30_000);

  it('lands every click of a burst of held presses while the page keeps updating', async () => {
    await open();
    const before = postsTo('/local/samples');
    const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
    const shownBefore = await page.locator('#clock').textContent();
    for (let i = 0; i < burstClicks; i += 1) await press(`button[data-mode="healthy"][data-region="${regions[i % regions.length]}"]`);
    // The page was updated during the burst (about a second per update), and no press was lost.
    expect(await page.locator('#clock').textContent()).not.toBe(shownBefore);
    await page.waitForTimeout(500);
    expect(postsTo('/local/samples') - before).toBe(burstClicks);
  }, 60_000);

  it('shows a stopped observer\'s heartbeat going stale, and a partitioned observer draining nothing alone', async () => {
    await open();
    await press('button[data-observer="ap-southeast-2"][data-observer-mode="partitioned"]');
    await page.locator('[data-observer-mode="ap-southeast-2"]:text-is("partitioned")').waitFor({ timeout: 5_000 });
    await page.locator('[data-cell="ap-southeast-2>us-east-1"].unhealthy').waitFor({ timeout: partitionWatchMs });
    await page.waitForTimeout(partitionWatchMs);
    // One observer's view is a minority: every target keeps serving.
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) expect(await weightOf(region).textContent()).toBe('100');
    await press('button[data-observer="ap-southeast-2"][data-observer-mode="stopped"]');
    await page.locator('[data-beats="ap-southeast-2"] .stale-beat').first().waitFor({ timeout: 15_000 });
    await press('button[data-observer="ap-southeast-2"][data-observer-mode="running"]');
    await page.locator('[data-observer-mode="ap-southeast-2"]:text-is("running")').waitFor({ timeout: 5_000 });
    expect(run.world.regions.map((r) => r.mode)).toEqual(['running', 'running', 'running']);
  }, 60_000);

  it('greys stale data and disables the buttons while disconnected, and comes back live', async () => {
    await open();
    // The local run goes away for the page: its event stream is cut and reconnecting fails.
    await page.route('**/local/events', (route) => route.abort('connectionrefused'));
    run.dropConnections();
    await page.locator('body.stale').waitFor({ timeout: 10_000 });
    expect(await page.locator('#live').textContent()).toMatch(/^disconnected .*: data below is stale$/);
    expect(await page.locator('button[data-action="drain"][data-region="us-east-1"]').isDisabled()).toBe(true);
    expect(await page.locator('button[data-mode="down"][data-region="eu-west-1"]').isDisabled()).toBe(true);
    await page.unroute('**/local/events');
    await page.locator('body:not(.stale)').waitFor({ timeout: 15_000 });
    expect(await page.locator('#live').textContent()).toBe('live');
    expect(await page.locator('button[data-action="drain"][data-region="us-east-1"]').isDisabled()).toBe(false);
  }, 40_000);
});
