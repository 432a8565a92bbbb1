import fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Launches the system's headless Chromium (Debian `chromium`; `scripts/test.sh` installs it).
 * Throws with the fix when no browser binary is found, so a missing browser fails loudly.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? CANDIDATES.find((path) => fs.existsSync(path));
  if (!executablePath) {
    throw new Error('No Chromium found: run `apt-get install -y chromium` or set CHROMIUM_PATH.');
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
}
