import type { SourceManifest } from '../config/types.js';
import type { Connector, ConnectorDescriptor } from '../ports/connector.js';
import type { ManifestScope } from './scope.js';

/** A built connector with a fingerprint of its manifest, so a reload restarts only what changed. */
export interface ConfiguredConnector {
  connector: Connector;
  fingerprint: string;
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
  return connector ? { connector, fingerprint: JSON.stringify(spec) } : undefined;
}
