import type { SourceManifest } from '../config/types.js';
import { compileCeMapping } from '../mapping/ce-mapping.js';
import type { Connector, ConnectorDescriptor } from '../ports/connector.js';
import type { JsonSchema } from '../ports/json-schema.js';
import type { ManifestScope } from './scope.js';

/** A built connector with a fingerprint of its manifest, so a reload restarts only what changed. */
export interface ConfiguredConnector {
  connector: Connector;
  fingerprint: string;
  /** `spec.required`: the broker is not ready (`/readyz` 503) while this Source is not up. */
  required: boolean;
}

/** `spec.required` of a Source, beside its connector block and `ce` (schemas/source.schema.json). */
export const SOURCE_REQUIRED_SCHEMA: JsonSchema = {
  type: 'boolean',
  default: false,
  description:
    "Whether the broker is ready only while this Source is up. By default `/readyz` is about intake: 200 while the store commits and HTTP intake runs, each Source's state shown in its body, so a Source reconnecting to its MQTT, Kafka or NATS broker does not take webhook and `POST /events` intake out of a Kubernetes Service. With `true`, `/readyz` answers 503 while this Source is connecting or reconnecting.",
  examples: [true],
};

/**
 * A Source whose connector block failed its schema (set aside, config/set-aside.ts) is not
 * built, but its `ce` mapping is still checked, with the roots that connector's templates have:
 * a template that does not parse is reported in the same run as the block's own problems.
 */
function checkMappingAlone(
  scope: ManifestScope<SourceManifest>,
  descriptors: readonly ConnectorDescriptor<Record<string, unknown>>[],
): void {
  const ce = scope.item.manifest.spec.ce;
  const blocks = descriptors.filter((d) =>
    scope.item.setAside?.some((path) => path.length === 2 && path[0] === 'spec' && path[1] === d.kind),
  );
  const descriptor = blocks[0];
  if (ce === undefined || blocks.length !== 1 || !descriptor?.templateRoots) return;
  compileCeMapping(ce, descriptor.templateRoots, ['spec', 'ce'], scope.report, {
    requireTypeAndSource: false,
  });
}

/**
 * A `Source` manifest: exactly one connector block, built by the registered connector of that
 * kind. A kind whose descriptor has no builder is part of the format but not of this build.
 */
export function compileSource(
  scope: ManifestScope<SourceManifest>,
  descriptors: readonly ConnectorDescriptor<Record<string, unknown>>[],
): ConfiguredConnector | undefined {
  const { manifest } = scope.item;
  const spec = manifest.spec;
  const present = descriptors.filter((d) => spec[d.kind] !== undefined);
  if (present.length === 0) checkMappingAlone(scope, descriptors);
  if (present.length !== 1) {
    scope.report(
      ['spec'],
      present.length === 0
        ? `a Source needs exactly one of: ${descriptors.map((d) => d.kind).join(', ')}`
        : `a Source has exactly one connector, found ${present.map((d) => d.kind).join(' and ')}`,
    );
    return undefined;
  }
  const descriptor = present[0]!;
  const kind = descriptor.kind;
  if (!descriptor.build) {
    scope.report(['spec', kind], `the ${kind} connector is not available in this build`, { key: true });
    return undefined;
  }
  const connector = descriptor.build({
    name: manifest.metadata.name,
    spec: spec[kind] as Record<string, unknown>,
    ce: spec.ce,
    path: ['spec', kind],
    report: scope.report,
    secret: (ref, path) => scope.secret(ref, path),
  });
  return connector
    ? { connector, fingerprint: JSON.stringify(spec), required: spec.required === true }
    : undefined;
}
