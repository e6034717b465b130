/** The `log` Source: its descriptor (registered in plugins.ts) and builder. */
import { compileCeMapping } from '../../broker/mapping/ce-mapping.js';
import type { Connector, ConnectorBuildContext, ConnectorDescriptor } from '../../broker/ports/connector.js';
import { FILE_TEMPLATE_ROOTS } from './file-events.js';
import { type LogSourceSpec, readLogSettings } from './settings.js';
import { LOG_SETTINGS_SCHEMA } from './settings-schema.js';
import { LogSource } from './source.js';
import { SYSLOG_TEMPLATE_ROOTS } from './syslog-events.js';

/**
 * The `ce` block is optional: a line gets the type dev.triggerbroker.log.line, its file as source
 * and a stable id (file-events.ts); a syslog message dev.triggerbroker.syslog.message and
 * syslog://HOST/APP (syslog-events.ts). A Source that reads both compiles its `ce` block against
 * the roots each side has, so a template naming a root of neither is reported.
 */
export function buildLogConnector(context: ConnectorBuildContext): Connector | undefined {
  const typed = context as ConnectorBuildContext<unknown> as ConnectorBuildContext<LogSourceSpec>;
  const settings = readLogSettings(typed);
  const cePath = [...context.path.slice(0, -1), 'ce'];
  const options = { requireTypeAndSource: false };
  const spec = typed.spec;
  // Each side's roots; with both sides, a template may use any root of either (a root the
  // message does not have renders as missing).
  const roots =
    spec.paths !== undefined && spec.syslog !== undefined
      ? [...new Set([...FILE_TEMPLATE_ROOTS, ...SYSLOG_TEMPLATE_ROOTS])]
      : spec.syslog !== undefined
        ? [...SYSLOG_TEMPLATE_ROOTS]
        : [...FILE_TEMPLATE_ROOTS];
  const mapper = compileCeMapping(context.ce, roots, cePath, context.report, options);
  if (settings === undefined) return undefined;
  const named = { type: context.ce?.type !== undefined, source: context.ce?.source !== undefined };
  return new LogSource(context.name, settings, mapper, named);
}

export const logConnector: ConnectorDescriptor<Record<string, unknown>> = {
  kind: 'log',
  summary:
    'Tails log files (rotation followed, positions committed with the events: exactly once into the store) and receives syslog over UDP and TCP.',
  settings: LOG_SETTINGS_SCHEMA,
  templateRoots: [...new Set([...FILE_TEMPLATE_ROOTS, ...SYSLOG_TEMPLATE_ROOTS])],
  build: buildLogConnector,
};
