/**
 * `npm run bench`: every benchmark, each printed beside the raw baseline measured in the same
 * run. `npm run bench -- ingest matcher` runs only the named ones (ingest, ingest-wrk, e2e,
 * matcher, store-check, log, mqtt, kafka, nats; soak only when named).
 */
import { printConnectorTable } from './support.js';

const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);

if (want('ingest')) {
  const { runIngestBench, printIngestRows } = await import('./ingest.js');
  printIngestRows(await runIngestBench());
}

// The single-event ingest again, driven by wrk instead of autocannon (whose one Node thread
// capped the baseline); skipped, with a message, when wrk is not installed.
if (want('ingest-wrk')) {
  const { runIngestWrkBench, printIngestWrkResult } = await import('./ingest.js');
  printIngestWrkResult(await runIngestWrkBench());
}

// End to end, HTTP in to an HTTP function out, beside a raw non-durable forwarder (wrk and a
// paced generator; several minutes).
if (want('e2e')) {
  const { runE2eBench, printE2eResult } = await import('./e2e.js');
  printE2eResult(await runE2eBench());
}

if (want('matcher')) {
  const { runMatcherBench, printMatcherRows } = await import('./matcher.js');
  printMatcherRows(await runMatcherBench());
  printMatcherRows(await runMatcherBench({ traffic: 'skewed' }));
  // Generated EventBridge-style rule sets beside aws/event-ruler (issue 17); a few minutes.
  const { runRuleSetBench, printRuleSetResult } = await import('./matcher-rule-sets.js');
  printRuleSetResult(await runRuleSetBench());
}

if (want('store-check')) {
  const { runStoreCheckBench, printStoreCheckRow } = await import('./store-check.js');
  printStoreCheckRow(await runStoreCheckBench());
}

if (want('log')) {
  const { runLogBench, printLogResult } = await import('./log.js');
  printLogResult(await runLogBench());
}

// The connector benchmarks, each imported only when wanted (they load their client libraries),
// all printed as the same table: scenario, broker msg/s, baseline msg/s, ratio.
const connectors = {
  mqtt: async () => {
    const { runMqttBench, MQTT_HEADING } = await import('./mqtt.js');
    printConnectorTable(MQTT_HEADING, await runMqttBench());
  },
  kafka: async () => {
    const { runKafkaBench, kafkaHeading } = await import('./kafka.js');
    printConnectorTable(kafkaHeading(), await runKafkaBench());
  },
  nats: async () => {
    const { runNatsBench, NATS_HEADING } = await import('./nats.js');
    printConnectorTable(NATS_HEADING, await runNatsBench());
  },
};
for (const [name, runAndPrint] of Object.entries(connectors)) {
  if (want(name)) await runAndPrint();
}

// The soak takes half an hour, so it runs only when named: `npm run bench -- soak`.
if (wanted.has('soak')) {
  const { runSoak } = await import('./soak.js');
  await runSoak({ minutes: 30, rate: 200, flapSeconds: 20, sampleSeconds: 60 });
}
