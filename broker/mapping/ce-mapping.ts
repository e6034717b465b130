import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '../cloudevents/event.js';
import type { CeMappingSpec } from '../config/types.js';
import type { PathSegment as ManifestPath } from '../config/yaml-document.js';
import { BrokerError } from '../errors.js';
import { type CompiledTemplate, compileTemplate, TemplateSyntaxError } from './template.js';

type Report = (path: readonly ManifestPath[], message: string, options?: { offset?: number }) => void;

/** Attributes a connector supplies when the mapping leaves them out (a preset's mapping, the message's content type). */
export interface MappingDefaults {
  type?: string;
  source?: string;
  subject?: string;
  id?: string;
  time?: string;
  datacontenttype?: string;
  extensions?: Record<string, string>;
}

/** Renders a Source's `ce` block for one raw message. */
export type CeMapper = (
  context: Readonly<Record<string, unknown>>,
  defaults?: MappingDefaults,
) => Record<string, AttributeValue>;

const CORE = ['type', 'source', 'subject', 'id', 'time', 'dataschema', 'datacontenttype'] as const;

/**
 * Compiles a `ce` block once. `requireTypeAndSource` is false when a preset supplies them.
 * The result throws BrokerError('mapping_failed') when a required attribute renders as
 * missing, naming the template, so a sender learns which field its payload lacked.
 */
export function compileCeMapping(
  spec: CeMappingSpec | undefined,
  roots: readonly string[],
  path: readonly ManifestPath[],
  report: Report,
  options: { requireTypeAndSource: boolean },
): CeMapper {
  const compiled: [string, CompiledTemplate][] = [];
  const compileOne = (name: string, text: string, at: readonly ManifestPath[]): void => {
    try {
      compiled.push([name, compileTemplate(text, roots)]);
    } catch (err) {
      if (err instanceof TemplateSyntaxError) report(at, `template: ${err.reason}`, { offset: err.offset });
      else throw err;
    }
  };
  for (const name of CORE) {
    const text = spec?.[name];
    if (text !== undefined) compileOne(name, text, [...path, name]);
  }
  for (const [name, text] of Object.entries(spec?.extensions ?? {}))
    compileOne(name, text, [...path, 'extensions', name]);
  if (options.requireTypeAndSource) {
    for (const name of ['type', 'source'] as const) {
      if (spec?.[name] === undefined)
        report(
          path,
          `ce.${name} is required (a template such as "com.example.thing" or "/devices/\${topic[1]}")`,
        );
    }
  }

  return (context, defaults = {}) => {
    const attributes: Record<string, AttributeValue> = { specversion: '1.0' };
    for (const [name, value] of Object.entries(defaults)) {
      if (name !== 'extensions' && typeof value === 'string') attributes[name] = value;
    }
    Object.assign(attributes, defaults.extensions ?? {});
    for (const [name, template] of compiled) {
      const value = template.render(context);
      if (value !== undefined && value !== '') attributes[name] = value;
      else if (name === 'type' || name === 'source') {
        if (attributes[name] === undefined) {
          throw new BrokerError(
            'mapping_failed',
            `ce.${name} template "${template.source}" refers to a value the message does not have`,
          );
        }
      }
    }
    // A fresh unique id when the mapping names none: duplicates of one message then get
    // different ids, which is why sources with a natural id (a delivery header) should map it.
    if (attributes['id'] === undefined) attributes['id'] = randomUUID();
    if (attributes['time'] === undefined) attributes['time'] = new Date().toISOString();
    return attributes;
  };
}
