import { readFileSync } from 'node:fs';
import { JSON_EVENT_MEDIA_TYPE } from '../cloudevents/json-format.js';
import { readConfig } from '../compile/read.js';
import { formatProblem } from '../config/problem.js';
import { BrokerError } from '../errors.js';
import {
  type EventExplanation,
  explainEvent,
  formatExplanation,
  formatExplanationJson,
  readJsonFormatEvent,
} from '../explain.js';
import type { PluginSet } from '../ports/plugins.js';
import { AdminCallError, adminToken, callAdmin } from './admin-client.js';
import { tokenWithoutUrl } from './deadletters.js';

export interface ExplainOptions {
  /** A file holding one CloudEvent in the JSON format, or `-` for standard input. */
  event: string;
  json?: boolean;
  /** A running broker's base URL: ask its admin API (`POST /admin/explain`) instead of reading DIR. */
  url?: string;
  token?: string;
}

const COMMAND = 'trigger-broker explain';

/**
 * For one event and every subscription under DIR (or of a running broker): matched or not, and
 * for a miss the first filter that failed and why. Exit 0 once explained, whatever matched; 1 when
 * the configuration is invalid or the broker cannot answer; 2 when the event is not a CloudEvent.
 */
export async function runExplain(dir: string, opts: ExplainOptions, plugins: PluginSet): Promise<number> {
  if (tokenWithoutUrl(COMMAND, opts)) return 2;
  let bytes: Buffer;
  try {
    bytes = opts.event === '-' ? readFileSync(0) : readFileSync(opts.event);
  } catch (err) {
    process.stderr.write(
      `${COMMAND}: cannot read ${opts.event}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
    );
    return 2;
  }
  const label = opts.event === '-' ? 'standard input' : opts.event;
  let explanation: EventExplanation;
  try {
    const event = readJsonFormatEvent(bytes, label);
    if (opts.url !== undefined) {
      explanation = (await callAdmin(
        { url: opts.url, token: adminToken(opts.token) },
        'POST',
        '/admin/explain',
        {
          contentType: JSON_EVENT_MEDIA_TYPE,
          bytes,
        },
      )) as EventExplanation;
    } else {
      // Secrets are not needed to match events: only their form is checked, as validate does.
      const { config, problems } = readConfig(dir, 'form', plugins);
      if (!config) {
        for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
        process.stderr.write(`${COMMAND}: ${dir} is not a valid configuration\n`);
        return 1;
      }
      explanation = explainEvent(config, event);
    }
  } catch (err) {
    if (err instanceof BrokerError) {
      process.stderr.write(`${COMMAND}: ${label} is not one CloudEvent in the JSON format: ${err.detail}\n`);
      return 2;
    }
    if (err instanceof AdminCallError) {
      process.stderr.write(`${COMMAND}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`${COMMAND}: ${(err as Error).message}\n`);
    return 1;
  }
  if (opts.json) {
    process.stdout.write(formatExplanationJson(explanation));
    const schema = explanation.eventSchema;
    if (schema)
      process.stderr.write(
        `EventSchema ${schema.name} refuses the event: ${schema.error} (onInvalid: ${schema.onInvalid})\n`,
      );
  } else {
    process.stdout.write(formatExplanation(explanation));
  }
  return 0;
}
