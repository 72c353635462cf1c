/**
 * A real Chromium for browser tests: Debian's `chromium` package (or
 * CHROMIUM_PATH), driven by puppeteer-core, which downloads no browser.
 * Headless, a throwaway profile, and no sandbox only when running as root
 * (Chromium refuses to start as root with it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { Browser } from 'puppeteer-core';

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not on PATH under this name
    }
  }
  const debian = '/usr/bin/chromium';
  if (existsSync(debian)) return debian;
  throw new Error('Chromium not found: `apt-get install chromium` (as .ci/run does), or set CHROMIUM_PATH');
}

export async function launchChromium(): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'archival-chromium-'));
  // Under faketime (one CI pass) the preload would reach Chromium too; the browser keeps the real clock.
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...env } = process.env;
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir: profile,
    env,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  return {
    browser,
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
