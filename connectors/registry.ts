import type { Secret } from '../broker/config/secrets.js';
import type { CeMappingSpec, SecretRef } from '../broker/config/types.js';
import type { PathSegment } from '../broker/config/yaml-document.js';
import { buildKafkaSource } from './kafka/index.js';
import { buildMqttConnector } from './mqtt/index.js';
import { buildNatsConnector } from './nats/source.js';
import type { Connector } from './types.js';

/** What a connector's builder gets from the configuration compiler. */
export interface ConnectorBuildContext<Spec = Record<string, unknown>> {
  /** The Source's `metadata.name`. */
  name: string;
  /** The connector block (`spec.mqtt`, `spec.kafka`, ...), already schema-valid. */
  spec: Spec;
  /** The Source's `ce` block. */
  ce: CeMappingSpec | undefined;
  /** Path of the connector block in the manifest, for problems: `['spec', 'mqtt']`. */
  path: readonly PathSegment[];
  /** Reports a configuration problem at a path inside the manifest (file:line:col). */
  report(path: readonly PathSegment[], message: string, options?: { offset?: number }): void;
  /** Resolves a secret reference; undefined in validate mode or when it is missing (then reported). */
  secret(ref: SecretRef, path: readonly PathSegment[]): Secret | undefined;
}

export type ConnectorBuilder = (context: ConnectorBuildContext) => Connector | undefined;

/**
 * Connector kinds this build can run, by the Source block that names them (one line per
 * connector module); a kind missing here is reported as not available.
 */
export const CONNECTOR_BUILDERS: Partial<Record<'mqtt' | 'kafka' | 'nats' | 'log', ConnectorBuilder>> = {
  nats: buildNatsConnector,
  kafka: buildKafkaSource,
  mqtt: buildMqttConnector,
};
