import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where setup.sh puts what it fetches (Kafka's jars, a nats-server it had to build): outside the repo. */
export function harnessCacheDir(): string {
  return process.env['TRIGGER_BROKER_CACHE'] || join(homedir(), '.cache', 'trigger-broker');
}

/** The versions pinned in versions.env, which setup.sh sources; read here so there is one place to bump. */
export function pinnedVersions(): Record<string, string> {
  const text = readFileSync(new URL('./versions.env', import.meta.url), 'utf8');
  const versions: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(\S+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) versions[match[1]] = match[2];
  }
  return versions;
}

export function pinnedVersion(name: string): string {
  const version = pinnedVersions()[name];
  if (version === undefined) throw new Error(`test/harness/versions.env does not set ${name}`);
  return version;
}
