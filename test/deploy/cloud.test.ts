/**
 * AWS Fargate, Google Cloud Run, Mesos/Marathon (issue 20, items 4 and 5), checked as far as this
 * machine can without the platforms:
 *   - the ECS task definition and service against the ECS API model that the AWS CLI checks
 *     `--cli-input-json` with (botocore's service-2.json, from PyPI);
 *   - the Cloud Run service against the Cloud Run Admin API v1 discovery document (what
 *     `gcloud run services replace` sends; run/v1/run-api.json of google.golang.org/api);
 *   - the manifests each derived image bakes into /config through `trigger-broker validate`;
 *   - that each platform's health check is the image's HEALTHCHECK, on /healthz of port 8080.
 * Marathon's app definition has no schema reachable from here: it is checked for its shape only.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pinnedVersion } from '../harness/cache.js';
import { botocoreInputValidator, discoveryValidator } from './schemas.js';
import { cachedFile, DEPLOY_DIR, MISSING_TOOLS, REPO_ROOT, yamlDocuments } from './tools.js';

const execFileP = promisify(execFile);
const ecsModel = cachedFile(`schemas/botocore-${pinnedVersion('BOTOCORE_VERSION')}`, 'ecs.json');
const runApi = cachedFile(`schemas/google-api-${pinnedVersion('GOOGLE_API_GO_VERSION')}`, 'run-v1.json');

// biome-ignore lint/suspicious/noExplicitAny: the files are walked by path below
type Any = any;
const json = (...parts: string[]): Any => JSON.parse(readFileSync(join(DEPLOY_DIR, ...parts), 'utf8'));

/** The Dockerfile's HEALTHCHECK command (exec form), which the platforms' health checks repeat. */
function imageHealthcheck(): string[] {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
  const m = /^HEALTHCHECK .*?CMD (\[.*\])\s*$/m.exec(dockerfile);
  if (!m) throw new Error('the Dockerfile has no exec-form HEALTHCHECK');
  return JSON.parse(m[1]!) as string[];
}

async function validateConfig(dir: string): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [
    join(REPO_ROOT, 'bin/trigger-broker.js'),
    'validate',
    dir,
  ]);
  return stdout;
}

describe('AWS Fargate: deploy/fargate', () => {
  it.skipIf(!ecsModel)(
    'task-definition.json is valid input of ECS RegisterTaskDefinition (botocore model)',
    () => {
      const check = botocoreInputValidator(ecsModel!, 'RegisterTaskDefinition');
      expect(check(json('fargate', 'task-definition.json'))).toEqual([]);
      const broken = json('fargate', 'task-definition.json');
      broken.containerDefinitions[0].healthcheck = broken.containerDefinitions[0].healthCheck;
      broken.networkMode = 'overlay';
      delete broken.family;
      expect(check(broken)).toEqual([
        'RegisterTaskDefinition: missing required member family (RegisterTaskDefinitionRequest)',
        'RegisterTaskDefinition.networkMode: "overlay" is not one of bridge, host, awsvpc, none',
        'RegisterTaskDefinition.containerDefinitions[0].healthcheck: unknown member of ContainerDefinition',
      ]);
    },
  );

  it.skipIf(!ecsModel)('service.json is valid input of ECS CreateService (botocore model)', () => {
    const check = botocoreInputValidator(ecsModel!, 'CreateService');
    expect(check(json('fargate', 'service.json'))).toEqual([]);
  });

  it('runs one task at a time with the store on EFS at /data, as the image user, with the image HEALTHCHECK', () => {
    const task = json('fargate', 'task-definition.json');
    const [broker] = task.containerDefinitions;
    expect(task.requiresCompatibilities).toEqual(['FARGATE']);
    expect(broker.user).toBe('1000:1000');
    expect(broker.readonlyRootFilesystem).toBe(true);
    expect(broker.mountPoints).toEqual([{ sourceVolume: 'data', containerPath: '/data', readOnly: false }]);
    expect(task.volumes[0].efsVolumeConfiguration.transitEncryption).toBe('ENABLED');
    expect(broker.healthCheck.command).toEqual(['CMD', ...imageHealthcheck()]);
    expect(broker.portMappings[0].containerPort).toBe(8080);
    expect(broker.stopTimeout).toBeGreaterThanOrEqual(15);
    const service = json('fargate', 'service.json');
    // Never two tasks on the store: the old one stops before the new one starts.
    expect(service.desiredCount).toBe(1);
    expect(service.deploymentConfiguration).toMatchObject({ maximumPercent: 100, minimumHealthyPercent: 0 });
    // The token ECS injects is the one the baked-in Broker manifest reads.
    const brokerYaml = readFileSync(join(DEPLOY_DIR, 'fargate/config/broker.yaml'), 'utf8');
    expect(brokerYaml).toContain(`fromEnv: ${broker.secrets[0].name}`);
  });

  it('bakes manifests that pass `trigger-broker validate` into its image', async () => {
    expect(await validateConfig(join(DEPLOY_DIR, 'fargate/config'))).toMatch(/valid/);
    expect(readFileSync(join(DEPLOY_DIR, 'fargate/Dockerfile'), 'utf8')).toMatch(
      /^FROM \$\{BROKER_IMAGE\}\nCOPY config\/ \/config\/$/m,
    );
  });
});

describe('Google Cloud Run: deploy/cloudrun', () => {
  const service = (): Any =>
    yamlDocuments(readFileSync(join(DEPLOY_DIR, 'cloudrun/service.yaml'), 'utf8'), 'service.yaml')[0];

  it.skipIf(!runApi)('service.yaml is a valid Cloud Run Admin API v1 Service (discovery document)', () => {
    const check = discoveryValidator(runApi!, 'Service');
    expect(check(service())).toEqual([]);
    const broken = service();
    broken.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    broken.spec.template.spec.volumes[0].nfs.serverName = 'x';
    const problems = check(broken).join('\n');
    expect(problems).toMatch(/containerPort must be integer/);
    expect(problems).toMatch(/nfs must NOT have additional properties \(serverName\)/);
  });

  it('keeps exactly one instance with CPU always allocated, the store on NFS at /data, probes on /healthz', () => {
    const s = service();
    expect(s.metadata.annotations['run.googleapis.com/scalingMode']).toBe('manual');
    expect(s.metadata.annotations['run.googleapis.com/manualInstanceCount']).toBe('1');
    const template = s.spec.template;
    expect(template.metadata.annotations['run.googleapis.com/cpu-throttling']).toBe('false');
    expect(template.metadata.annotations['run.googleapis.com/execution-environment']).toBe('gen2');
    const [container] = template.spec.containers;
    expect(container.ports[0].containerPort).toBe(8080);
    expect(container.startupProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    const dataMount = container.volumeMounts.find((m: Any) => m.mountPath === '/data');
    expect(template.spec.volumes.find((v: Any) => v.name === dataMount.name).nfs).toBeDefined();
    // The token file Cloud Run mounts is the one the baked-in Broker manifest reads.
    const secretsMount = container.volumeMounts.find((m: Any) => m.name === 'secrets');
    const secretVolume = template.spec.volumes.find((v: Any) => v.name === 'secrets');
    const tokenPath = `${secretsMount.mountPath}/${secretVolume.secret.items[0].path}`;
    expect(readFileSync(join(DEPLOY_DIR, 'cloudrun/config/broker.yaml'), 'utf8')).toContain(
      `fromFile: ${tokenPath}`,
    );
  });

  it('bakes manifests that pass `trigger-broker validate` into its image', async () => {
    expect(await validateConfig(join(DEPLOY_DIR, 'cloudrun/config'))).toMatch(/valid/);
    expect(readFileSync(join(DEPLOY_DIR, 'cloudrun/Dockerfile'), 'utf8')).toMatch(
      /^FROM \$\{BROKER_IMAGE\}\nCOPY config\/ \/config\/$/m,
    );
  });
});

describe('Mesos/Marathon: deploy/marathon (shape only; no schema reachable here)', () => {
  it('runs one instance on a persistent volume at /data, never two during an upgrade, health on /healthz', () => {
    const app = json('marathon', 'trigger-broker.json');
    expect(app.instances).toBe(1);
    expect(app.upgradeStrategy).toEqual({ minimumHealthCapacity: 0, maximumOverCapacity: 0 });
    expect(app.container.volumes.find((v: Any) => v.containerPath === '/data')?.hostPath).toBe('data');
    expect(app.container.volumes.find((v: Any) => v.persistent)?.containerPath).toBe('data');
    expect(app.container.portMappings[0].containerPort).toBe(8080);
    expect(app.healthChecks[0].path).toBe('/healthz');
    expect(app.readinessChecks[0].path).toBe('/readyz');
  });
});

describe.skipIf(Boolean(ecsModel && runApi))('cloud files: schemas not checked here', () => {
  it.skip(`the ECS model and the Cloud Run discovery document are ${MISSING_TOOLS}`, () => undefined);
});
