import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ITopicConfig, Kafka, logLevel } from 'kafkajs';
import { type BrokerHandle, externalBrokerUrl, externalHandle, startManaged } from './broker-handle.js';
import { harnessCacheDir, pinnedVersion } from './cache.js';
import { freeLoopbackPorts } from './ports.js';
import { findExecutable, makeBrokerDir, ServerProcess } from './process.js';

const run = promisify(execFile);

// Modest on purpose: the machines have two cores and tests produce little. Serial GC and the C1
// compiler only keep a broker that mostly idles from spending CPU on GC threads and C2 compilation.
const JVM_OPTIONS = [
  '-Xms128m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
];

/**
 * A single-node Apache Kafka in KRaft combined mode (broker and controller in one JVM) on free
 * loopback ports, its log and metadata in its own directory, or the cluster named by KAFKA_BROKERS.
 * It starts in about three seconds; tests that only need *a* Kafka should share the one that
 * global-kafka.ts starts per run and use their own topic names (see uniqueTopicName).
 */
export async function startKafka(): Promise<BrokerHandle> {
  const external = externalBrokerUrl('kafka');
  if (external !== undefined) return externalHandle('kafka', external);

  const libs = kafkaLibsDir();
  const [brokerPort, controllerPort] = (await freeLoopbackPorts(2)) as [number, number];
  const dir = await makeBrokerDir('kafka');
  const serverProperties = join(dir, 'server.properties');
  const log4jConfig = join(dir, 'log4j2.properties');
  await mkdir(join(dir, 'data'));
  await writeFile(serverProperties, kafkaServerProperties(brokerPort, controllerPort, join(dir, 'data')));
  await writeFile(log4jConfig, LOG4J_CONFIG);

  const java = javaExecutable();
  const jvmArgs = [...JVM_OPTIONS, `-Dlog4j2.configurationFile=${log4jConfig}`, '-cp', join(libs, '*')];
  // A KRaft node refuses to start on an unformatted directory. Formatting once, here, and never on
  // restart is what lets a restarted broker find its topics again.
  try {
    await run(
      java,
      [
        ...jvmArgs,
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        newClusterId(),
        '--config',
        serverProperties,
      ],
      {
        cwd: dir,
      },
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`formatting Kafka's storage failed: ${(error as Error).message}`);
  }

  const url = `127.0.0.1:${brokerPort}`;
  const server = new ServerProcess(dir, {
    name: 'kafka',
    command: java,
    args: [...jvmArgs, 'kafka.Kafka', serverProperties],
    isServing: () => kafkaBrokerAnswers(url),
    startTimeoutMs: 60_000,
    stopTimeoutMs: 20_000,
  });
  return startManaged(url, server);
}

/** KAFKA_BROKERS may list several bootstrap servers, comma-separated; kafkajs wants an array. */
export function kafkaBrokerList(url: string): string[] {
  return url
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
}

/** A topic name no other test uses, for tests that share one Kafka. */
export function uniqueTopicName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * Creates topics (one partition unless a config says otherwise) and waits until each has a leader,
 * so a producer right after does not meet UNKNOWN_TOPIC_OR_PARTITION. Existing topics are left as
 * they are.
 */
export async function createKafkaTopics(
  url: string,
  topics: ReadonlyArray<string | ITopicConfig>,
): Promise<void> {
  const admin = new Kafka({
    clientId: 'trigger-broker-harness',
    brokers: kafkaBrokerList(url),
    logLevel: logLevel.WARN,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => (typeof topic === 'string' ? { topic, numPartitions: 1 } : topic)),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

function kafkaLibsDir(): string {
  const version = pinnedVersion('KAFKA_VERSION');
  const libs = join(harnessCacheDir(), `kafka-${version}`, 'libs');
  if (!existsSync(join(libs, '.complete'))) {
    throw new Error(
      `Apache Kafka ${version}'s jars are not in ${libs}. Run: bash test/harness/setup.sh ` +
        '(or set KAFKA_BROKERS to a Kafka that already runs).',
    );
  }
  return libs;
}

function javaExecutable(): string {
  const javaHome = process.env['JAVA_HOME'];
  return findExecutable('java', { preferred: javaHome ? [join(javaHome, 'bin', 'java')] : [] });
}

/**
 * Kafka's cluster id: 16 random bytes in URL-safe base64, as `kafka-storage random-uuid` makes it,
 * and like it never starting with '-', which the storage tool's argument parser takes for an option
 * (one start in 64 failed on that).
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function kafkaServerProperties(brokerPort: number, controllerPort: number, dataDir: string): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    // One node: every internal topic can have only one replica, or it is never created.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    // One partition for the internal topics: the group coordinator loads in a blink instead of
    // loading 50 partitions, so the first consumer group joins fast.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.num.partitions=1',
    'num.partitions=1',
    // Consumer groups form at once rather than after the default three seconds' wait for members.
    'group.initial.rebalance.delay.ms=0',
    // After kill -9 the controller still holds the dead incarnation's registration and refuses the
    // restarted broker (DUPLICATE_BROKER_REGISTRATION) until that session expires: 9 s by default,
    // which made every crash test wait. Broker and controller share one JVM, so a short session
    // cannot expire from network trouble.
    'broker.heartbeat.interval.ms=500',
    'broker.session.timeout.ms=2000',
    'num.network.threads=2',
    'num.io.threads=2',
  ].join('\n')}\n`;
}

// Warnings and errors only, to the process's stderr, which ServerProcess writes to kafka.log.
const LOG4J_CONFIG = `${[
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.stderr.ref = STDERR',
  'appender.stderr.type = Console',
  'appender.stderr.name = STDERR',
  'appender.stderr.target = SYSTEM_ERR',
  'appender.stderr.layout.type = PatternLayout',
  'appender.stderr.layout.pattern = [%d] %p %m (%c)%n',
].join('\n')}\n`;

/**
 * True once the broker answers a metadata request naming itself and a controller, and its group
 * coordinator answers too. The latter creates or reloads __consumer_offsets; waiting for it here
 * spares each test's first consumer a "coordinator is loading" crash and retry.
 */
async function kafkaBrokerAnswers(url: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'trigger-broker-harness-probe',
    brokers: kafkaBrokerList(url),
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null) return false;
    await admin.describeGroups(['trigger-broker-harness-probe']);
    return true;
  } finally {
    await admin.disconnect();
  }
}
