/** The `azure` sink: an HTTP-triggered Azure Function (`sink: { azure: { uri, functionKey } }`). */
import type { Sink, SinkBuildContext, SinkDescriptor } from '../../broker/ports/sink.js';
import { AzureFunctionsSink } from './azure-functions-sink.js';
import { functionUrlSetting } from './function-url.js';
import { AZURE_SETTINGS_SCHEMA, type AzureFunctionsSinkSpec } from './settings-schema.js';

export type { AzureFunctionsSinkSpec } from './settings-schema.js';

/** Checks the block and reads the function key; reports at the field's path and returns undefined on a mistake. */
export function buildAzureFunctionsSink({
  spec,
  path,
  report,
  secret,
  concurrency,
}: SinkBuildContext<AzureFunctionsSinkSpec>): Sink | undefined {
  const url = functionUrlSetting(spec.uri, [...path, 'uri'], report);
  // Read even when the URL is wrong, so that a missing variable is reported in the same run.
  const functionKey = spec.functionKey ? secret(spec.functionKey, [...path, 'functionKey']) : undefined;
  if (!url) return undefined;
  return new AzureFunctionsSink({
    url,
    functionKey,
    connections: concurrency,
    headerEncoding: spec.headerEncoding ?? 'percent',
  });
}

export const azureFunctionsSink: SinkDescriptor<AzureFunctionsSinkSpec> = {
  kind: 'azure',
  summary:
    'POSTs each event in CloudEvents binary mode to an HTTP-triggered Azure Function, its key in the x-functions-key header; 2xx is success, 429 and 5xx (503 while the app scales or starts) are retried, 401 (missing or wrong key), 404 and other 4xx are permanent.',
  settings: AZURE_SETTINGS_SCHEMA,
  build: buildAzureFunctionsSink,
};
