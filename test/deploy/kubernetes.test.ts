/**
 * Kubernetes (issue 20, item 2): the Helm chart in deploy/helm/trigger-broker renders with Helm
 * (built from its Go module by test/harness/deploy-tools.sh), every rendered object is valid
 * against the Kubernetes API's OpenAPI definitions of each version in KUBERNETES_SCHEMA_VERSIONS
 * (api/openapi-spec/swagger.json of the Go module k8s.io/kubernetes), strictly (unknown fields are
 * errors), and the manifests in its ConfigMap pass `trigger-broker validate`. The plain manifests in
 * deploy/kubernetes/ are the chart's rendering, kept current.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { pinnedVersion } from '../harness/cache.js';
import { kubernetesValidator } from './schemas.js';
import {
  CHART_DIR,
  cachedFile,
  DEPLOY_DIR,
  helmBinary,
  helmEnv,
  helmTemplate,
  type KubeObject,
  MISSING_TOOLS,
  REPO_ROOT,
  yamlDocuments,
} from './tools.js';

const execFileP = promisify(execFile);
const helm = helmBinary();
const kubeVersions = pinnedVersion('KUBERNETES_SCHEMA_VERSIONS').split(',');
const swaggers = kubeVersions.map((v) => ({
  version: v,
  path: cachedFile(`schemas/kubernetes-${v}`, 'swagger.json'),
}));
const haveSchemas = swaggers.every((s) => s.path !== undefined);

/** Store types the broker's own manifest schema accepts today (issue 18 adds jetstream and kafka). */
const storeTypes: string[] = (() => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas/store.schema.json'), 'utf8')) as {
    properties?: { type?: { const?: string; enum?: string[] } };
  };
  const t = schema.properties?.type;
  return t?.enum ?? (t?.const !== undefined ? [t.const] : []);
})();

const SIGNED_SOURCE = `apiVersion: trigger-broker/v1
kind: Source
metadata: { name: github }
spec:
  webhook:
    preset: github
    signature: { secret: { fromFile: /secrets/github-webhook-secret } }
`;

interface Variant {
  values: Record<string, unknown>;
  store: string;
  replicas: number;
}

const VARIANTS: Record<string, Variant> = {
  'the defaults (SQLite store, one replica)': { values: {}, store: 'sqlite', replicas: 1 },
  'a bearer token and a webhook secret from the chart-made Secret': {
    values: {
      secrets: { token: 'change-me', 'github-webhook-secret': 'also-change-me' },
      'broker.authTokenSecretKeys': ['token'],
      'manifests.github\\.yaml': SIGNED_SOURCE,
      'broker.limits': { maxBodyBytes: 262144 },
      'broker.abuseProtection': { allowedOrigins: ['hooks.example.com'] },
    },
    store: 'sqlite',
    replicas: 1,
  },
  'an existing Secret, environment, storage class, scheduling and a LoadBalancer': {
    values: {
      existingSecret: 'trigger-broker-secrets',
      env: [{ name: 'MQTT_PASSWORD', valueFrom: { secretKeyRef: { name: 'mqtt', key: 'password' } } }],
      'store.sqlite.storageClassName': 'fast-ssd',
      'store.sqlite.size': '50Gi',
      nodeSelector: { 'kubernetes.io/arch': 'amd64' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'events', effect: 'NoSchedule' }],
      podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' },
      'service.type': 'LoadBalancer',
      imagePullSecrets: [{ name: 'registry' }],
      priorityClassName: 'high',
    },
    store: 'sqlite',
    replicas: 1,
  },
  'scale-out on NATS JetStream, 3 replicas (needs issue 18)': {
    values: { 'store.type': 'jetstream' },
    store: 'jetstream',
    replicas: 3,
  },
  'scale-out on Kafka, 4 replicas (needs issue 18)': {
    values: { 'store.type': 'kafka', 'scaleOut.replicas': 4 },
    store: 'kafka',
    replicas: 4,
  },
};

function one(objects: KubeObject[], kind: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found.map((o) => o.kind)).toEqual([kind]);
  return found[0]!;
}

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are walked by path in the checks below
type Any = any;

describe.skipIf(!helm || !haveSchemas)('Helm chart deploy/helm/trigger-broker', () => {
  const validators = new Map<string, ReturnType<typeof kubernetesValidator>>();

  beforeAll(() => {
    for (const s of swaggers) validators.set(s.version, kubernetesValidator(s.path!));
  });

  it('the schema check is not vacuous: it finds an unknown field, a wrong type, a missing required field', async () => {
    const { objects } = await helmTemplate(helm!);
    const sts: Any = structuredClone(one(objects, 'StatefulSet'));
    sts.spec.template.spec.containers[0].livenessProbe.httpGet.paht = '/healthz';
    sts.spec.replicas = 'one';
    delete sts.spec.template.spec.containers[0].name;
    const problems = validators.get(kubeVersions[0]!)!.check(sts);
    expect(problems.join('\n')).toMatch(/httpGet must NOT have additional properties \(paht\)/);
    expect(problems.join('\n')).toMatch(/\/spec\/replicas must be integer/);
    expect(problems.join('\n')).toMatch(/containers\/0 must have required property 'name'/);
    expect(validators.get(kubeVersions[0]!)!.check({ apiVersion: 'apps/v1', kind: 'Nonsense' })).toEqual([
      'no API schema for apiVersion apps/v1, kind Nonsense',
    ]);
  });

  it('passes helm lint --strict', async () => {
    const { stdout } = await execFileP(helm!, ['lint', '--strict', CHART_DIR], { env: helmEnv() });
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  describe.each(Object.entries(VARIANTS))('%s', (_name, variant) => {
    let objects: KubeObject[];
    beforeAll(async () => {
      objects = (await helmTemplate(helm!, variant.values)).objects;
    });

    it.each(kubeVersions)(
      'every rendered object is valid against the Kubernetes %s API schemas',
      (version) => {
        const validator = validators.get(version)!;
        const problems = objects.flatMap((o) =>
          validator.check(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`),
        );
        expect(problems).toEqual([]);
      },
    );

    it('has the workload, Service, ConfigMap, PodDisruptionBudget; probes, resources and a non-root, read-only container', () => {
      const kinds = objects.map((o) => o.kind).sort();
      const workload: Any =
        variant.store === 'sqlite' ? one(objects, 'StatefulSet') : one(objects, 'Deployment');
      expect(kinds).toContain('ConfigMap');
      expect(kinds).toContain('Service');
      expect(kinds).toContain('PodDisruptionBudget');
      expect(workload.spec.replicas).toBe(variant.replicas);
      const pod = workload.spec.template.spec;
      const [container] = pod.containers;
      expect(container.startupProbe.httpGet.path).toBe('/healthz');
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.resources.requests).toEqual({ cpu: '250m', memory: '256Mi' });
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBe(1000);
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      // The ConfigMap as a whole directory (a subPath mount would never see an update).
      const configMount = container.volumeMounts.find((m: Any) => m.mountPath === '/config');
      expect(configMount).toMatchObject({ name: 'config', readOnly: true });
      expect(configMount.subPath).toBeUndefined();
      const pdb: Any = one(objects, 'PodDisruptionBudget');
      expect(pdb.spec.selector.matchLabels).toEqual(workload.spec.selector.matchLabels);
      if (variant.store === 'sqlite') {
        expect(workload.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
        expect(container.volumeMounts.find((m: Any) => m.mountPath === '/data')?.name).toBe('data');
        expect(container.args).toEqual(['start', '/config', '--data', '/data', '--log-level', 'info']);
        expect(workload.spec.serviceName).toBe('trigger-broker-headless');
      } else {
        expect(container.volumeMounts.find((m: Any) => m.mountPath === '/data')).toBeUndefined();
        expect(container.args).toEqual(['start', '/config', '--log-level', 'info']);
      }
      const secretName =
        (variant.values['existingSecret'] as string | undefined) ??
        (variant.values['secrets'] ? 'trigger-broker' : undefined);
      const secretVolume = pod.volumes.find((v: Any) => v.name === 'secrets');
      expect(secretVolume?.secret.secretName).toBe(secretName);
      expect(objects.some((o) => o.kind === 'Secret')).toBe(Boolean(variant.values['secrets']));
    });

    it.skipIf(!storeTypes.includes(variant.store))(
      "the ConfigMap's manifests pass `trigger-broker validate`",
      async () => {
        const cm: Any = one(objects, 'ConfigMap');
        const dir = await mkdtemp(join(tmpdir(), 'trigger-broker-configmap-'));
        try {
          for (const [file, text] of Object.entries(cm.data as Record<string, string>))
            writeFileSync(join(dir, file), text);
          const { stdout } = await execFileP(process.execPath, [
            join(REPO_ROOT, 'bin/trigger-broker.js'),
            'validate',
            dir,
          ]);
          expect(stdout).toMatch(/valid/);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    );

    it.runIf(variant.store !== 'sqlite')("writes issue 18's store block into broker.yaml", () => {
      const cm: Any = one(objects, 'ConfigMap');
      const [broker] = yamlDocuments(cm.data['broker.yaml'], 'broker.yaml') as Any[];
      expect(broker.spec.store.type).toBe(variant.store);
      if (variant.store === 'jetstream')
        expect(Object.keys(broker.spec.store).sort()).toEqual(['replicas', 'servers', 'stream', 'type']);
      else
        expect(Object.keys(broker.spec.store).sort()).toEqual([
          'brokers',
          'partitions',
          'replicationFactor',
          'topic',
          'type',
        ]);
    });
  });

  it('refuses values that cannot work', async () => {
    const failing: [Record<string, unknown>, RegExp][] = [
      [{ 'store.type': 'postgres' }, /store.type must be sqlite, jetstream or kafka/],
      [{ 'manifests.broker\\.yaml': 'x: 1' }, /broker.yaml is written by the chart/],
      [{ 'manifests.notes\\.txt': 'x' }, /not a file name ending in .yaml/],
      [{ 'broker.authTokenSecretKeys': ['token'] }, /authTokenSecretKeys names keys of a Secret/],
    ];
    for (const [values, message] of failing)
      await expect(helmTemplate(helm!, values), JSON.stringify(values)).rejects.toThrow(message);
  });

  it('deploy/kubernetes/trigger-broker.yaml is the current rendering of the chart (deploy/kubernetes/render.sh)', async () => {
    const { text } = await helmTemplate(helm!, { helmLabels: false });
    const committed = readFileSync(join(DEPLOY_DIR, 'kubernetes', 'trigger-broker.yaml'), 'utf8');
    const body = committed.slice(committed.indexOf('---'));
    expect(body).toBe(text);
  });
});

describe.skipIf(Boolean(helm) && haveSchemas)('Helm chart: not checked here', () => {
  it.skip(`helm ${pinnedVersion('HELM_VERSION')} and the Kubernetes API schemas are ${MISSING_TOOLS}`, () =>
    undefined);
});
