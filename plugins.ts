/**
 * The composition root: the one place that names the concrete connectors, sinks and store
 * backends of this build and hands them to the core (docs/architecture.md). Adding a plugin is
 * its own folder plus one line here; `npm run docs` then regenerates the manifest schemas and
 * the reference tables from its descriptor.
 */
import type { PluginSet } from './broker/ports/plugins.js';
import { kafkaConnector } from './connectors/kafka/index.js';
import { logConnector } from './connectors/log/index.js';
import { mqttConnector } from './connectors/mqtt/index.js';
import { natsConnector } from './connectors/nats/index.js';
import { webhookConnector } from './connectors/webhook/index.js';
import { azureFunctionsSink } from './sinks/azure/index.js';
import { fissionSink } from './sinks/fission/index.js';
import { cloudFunctionsSink, cloudRunSink } from './sinks/google/index.js';
import { httpSink } from './sinks/http/index.js';
import { knativeSink } from './sinks/knative/index.js';
import { lambdaSink } from './sinks/lambda/index.js';
import { openFaasSink } from './sinks/openfaas/index.js';
import { openWhiskSink } from './sinks/openwhisk/index.js';
import { sqliteStore } from './stores/sqlite/index.js';

export const PLUGINS: PluginSet = {
  // In the order the reference and the "exactly one of" message list them.
  connectors: [webhookConnector, mqttConnector, kafkaConnector, natsConnector, logConnector],
  sinks: [
    httpSink,
    knativeSink,
    openFaasSink,
    lambdaSink,
    cloudRunSink,
    cloudFunctionsSink,
    azureFunctionsSink,
    openWhiskSink,
    fissionSink,
  ],
  stores: [sqliteStore],
};
