import type { SinkSpec } from '../config/types.js';
import type { PathSegment } from '../config/yaml-document.js';
import type { Sink, SinkDescriptor } from '../ports/sink.js';
import type { ManifestScope } from './scope.js';

/**
 * Builds the sink a `sink` (or `deadLetterSink`) block names: `{ <kind>: settings }` selects a
 * typed sink by its key, anything else is the inline sink's own settings (`{ uri, ... }`). The
 * manifest schema has already checked that the block is one of these shapes. `concurrency` is
 * the subscription's `delivery.concurrency`, the sink's share of connections.
 */
export function buildSink(
  spec: SinkSpec,
  path: readonly PathSegment[],
  scope: ManifestScope,
  descriptors: readonly SinkDescriptor<Record<string, unknown>>[],
  concurrency: number,
): Sink | undefined {
  const keys = Object.keys(spec);
  const typed = keys.length === 1 ? descriptors.find((d) => !d.inline && d.kind === keys[0]) : undefined;
  if (typed) {
    return typed.build({
      spec: spec[typed.kind] as Record<string, unknown>,
      path: [...path, typed.kind],
      report: scope.report,
      secret: (ref, at) => scope.secret(ref, at),
      concurrency,
    });
  }
  const inline = descriptors.find((d) => d.inline);
  if (!inline) {
    scope.report(path, `no sink of kind ${keys.join(', ')} is available in this build`);
    return undefined;
  }
  return inline.build({
    spec: spec as Record<string, unknown>,
    path,
    report: scope.report,
    secret: (ref, at) => scope.secret(ref, at),
    concurrency,
  });
}
