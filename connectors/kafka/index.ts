/** Builds the `kafka` Source from its manifest block (registered in connectors/registry.ts). */

import type { ConnectorBuildContext, ConnectorBuilder } from '../registry.js';
import { compileCeMapping } from '../template/mapping.js';
import { createRecordConverter, KAFKA_TEMPLATE_ROOTS } from './record-event.js';
import { type KafkaSourceSpec, readKafkaSettings } from './settings.js';
import { KafkaSource } from './source.js';

/**
 * Without a `ce` block only records that already are CloudEvents (binary or structured binding)
 * are taken; a raw record is then dead-lettered with a reason. With one, `type` and `source` are
 * required, as for every mapping.
 */
export const buildKafkaSource: ConnectorBuilder = (context) => {
  const typed = context as ConnectorBuildContext<unknown> as ConnectorBuildContext<KafkaSourceSpec>;
  const settings = readKafkaSettings(typed);
  const cePath = [...context.path.slice(0, -1), 'ce'];
  const mapper =
    context.ce === undefined
      ? undefined
      : compileCeMapping(context.ce, KAFKA_TEMPLATE_ROOTS, cePath, context.report, {
          requireTypeAndSource: true,
        });
  if (settings === undefined) return undefined;
  return new KafkaSource(context.name, settings, createRecordConverter(mapper));
};
