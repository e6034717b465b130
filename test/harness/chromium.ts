import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`, done by setup.sh), driven by playwright-core,
 * which downloads no browser of its own. `CHROMIUM_BIN` names another binary.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];

/** The Chromium binary the browser tests run, or undefined when there is none. */
export function chromiumPath(): string | undefined {
  const chosen = process.env['CHROMIUM_BIN'];
  if (chosen) return chosen;
  return CANDIDATES.find((path) => existsSync(path));
}

/** Launches headless Chromium; throws saying how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error(
      `no Chromium found (${CANDIDATES.join(', ')}): run bash test/harness/setup.sh, or set CHROMIUM_BIN`,
    );
  return chromium.launch({
    executablePath,
    headless: true,
    // Chromium's sandbox refuses to run as root, which is how the tests run in CI.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}
