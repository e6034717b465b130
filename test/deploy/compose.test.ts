/**
 * Docker Compose and Swarm (issue 20, item 3): deploy/compose/compose.yaml against the Compose
 * specification's JSON Schema (schema/compose-spec.json of compose-go, the loader docker compose
 * uses), through `docker stack config` (the Docker CLI's own Swarm loader, which needs no engine)
 * where the Docker CLI is installed, and the broker manifests it mounts through
 * `trigger-broker validate`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pinnedVersion } from '../harness/cache.js';
import { jsonSchema2020Validator } from './schemas.js';
import { cachedFile, DEPLOY_DIR, MISSING_TOOLS, REPO_ROOT, yamlDocuments } from './tools.js';

const execFileP = promisify(execFile);
const COMPOSE_DIR = join(DEPLOY_DIR, 'compose');
const COMPOSE_FILE = join(COMPOSE_DIR, 'compose.yaml');
const schemaPath = cachedFile(
  `schemas/compose-go-${pinnedVersion('COMPOSE_GO_VERSION')}`,
  'compose-spec.json',
);

const dockerCli = (() => {
  try {
    return Boolean(execFileSync('docker', ['stack', 'config', '--help']));
  } catch {
    return false;
  }
})();

// biome-ignore lint/suspicious/noExplicitAny: the compose file is walked by path below
type Any = any;
const compose = (): Any => yamlDocuments(readFileSync(COMPOSE_FILE, 'utf8'), 'compose.yaml')[0];

describe('deploy/compose/compose.yaml', () => {
  it.skipIf(!schemaPath)(
    `is valid against the Compose specification's JSON Schema (compose-go ${pinnedVersion('COMPOSE_GO_VERSION')})`,
    () => {
      const check = jsonSchema2020Validator(schemaPath!);
      expect(check(compose())).toEqual([]);
      // and the check is not vacuous
      const broken = compose();
      broken.services.broker.ports = 8080;
      broken.services.broker.stop_grace_priod = '15s';
      const problems = check(broken).join('\n');
      expect(problems).toMatch(/\/services\/broker\/ports must be array/);
      expect(problems).toMatch(/stop_grace_priod/);
    },
  );

  it.skipIf(!dockerCli)(
    'loads with `docker stack config` (Swarm), which keeps one replica, stop-first',
    async () => {
      const { stdout } = await execFileP('docker', ['stack', 'config', '-c', COMPOSE_FILE], {
        cwd: COMPOSE_DIR,
        env: { ...process.env, TRIGGER_BROKER_IMAGE: 'registry.example.com/trigger-broker:0.1.0' },
      });
      const [stack] = yamlDocuments(stdout, 'docker stack config') as Any[];
      expect(stack.services.broker.image).toBe('registry.example.com/trigger-broker:0.1.0');
      expect(stack.services.broker.deploy.replicas).toBe(1);
      expect(stack.services.broker.deploy.update_config.order).toBe('stop-first');
      expect(Object.keys(stack.configs).sort()).toEqual([
        'broker',
        'function',
        'mosquitto',
        'sources',
        'subscriptions',
      ]);
    },
  );

  it('runs the broker with its manifests in /config and its store in a volume at /data; every config file exists', () => {
    const c = compose();
    const broker = c.services.broker;
    expect(broker.image).toMatch(/^\$\{TRIGGER_BROKER_IMAGE:-trigger-broker:latest\}$/);
    expect(broker.volumes).toEqual(['data:/data']);
    const targets = broker.configs.map((cfg: Any) => cfg.target);
    expect(targets.every((t: string) => dirname(t) === '/config')).toBe(true);
    expect(broker.deploy.replicas).toBe(1);
    for (const [name, cfg] of Object.entries(c.configs) as [string, Any][])
      expect(existsSync(join(COMPOSE_DIR, cfg.file)), `config ${name}: ${cfg.file}`).toBe(true);
    // The function and Mosquitto the manifests point at are services of the file.
    expect(Object.keys(c.services).sort()).toEqual(['broker', 'function', 'mosquitto']);
    const manifests =
      readFileSync(join(COMPOSE_DIR, 'config/sources.yaml'), 'utf8') +
      readFileSync(join(COMPOSE_DIR, 'config/subscriptions.yaml'), 'utf8');
    expect(manifests).toContain('mqtt://mosquitto:1883');
    expect(manifests).toContain('http://function:3000/');
  });

  it('mounts manifests that pass `trigger-broker validate`', async () => {
    const { stdout } = await execFileP(process.execPath, [
      join(REPO_ROOT, 'bin/trigger-broker.js'),
      'validate',
      join(COMPOSE_DIR, 'config'),
    ]);
    expect(stdout).toMatch(/valid \(2 subscriptions/);
  });

  it('has a function that parses (node --check)', async () => {
    await execFileP(process.execPath, ['--check', join(COMPOSE_DIR, 'function.mjs')]);
  });
});

describe.skipIf(Boolean(schemaPath))('deploy/compose/compose.yaml: schema not checked here', () => {
  it.skip(`the Compose specification's JSON Schema is ${MISSING_TOOLS}`, () => undefined);
});
