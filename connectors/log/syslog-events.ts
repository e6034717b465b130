import { randomUUID } from 'node:crypto';
import type { AttributeValue, CloudEvent } from '../../broker/cloudevents/event.js';
import { JSON_VALUES, validateAttributes } from '../../broker/cloudevents/validate.js';
import type { CeMapper } from '../../broker/mapping/ce-mapping.js';
import type { NamedByMapping } from './file-events.js';
import type { SyslogMessage } from './syslog/message.js';

/** The template roots of a syslog message. */
export const SYSLOG_TEMPLATE_ROOTS = [
  'line',
  'severity',
  'facility',
  'hostname',
  'appName',
  'procId',
  'msgId',
  'structuredData',
] as const;

/** The event type of a syslog message when the Source's `ce` block names none. */
export const SYSLOG_MESSAGE_TYPE = 'dev.triggerbroker.syslog.message';

/**
 * Turns one syslog message into a CloudEvent. Template roots: `line` (the MSG part), `severity`
 * and `facility` (names: `err`, `auth`), `hostname`, `appName`, `procId`, `msgId` and
 * `structuredData` (SD-ID -> parameter -> value). Without a `ce` block, or where it leaves them
 * out: `type` dev.triggerbroker.syslog.message, `source` syslog://HOSTNAME/APP-NAME (the peer's
 * address when the message names no host), a fresh `id` (syslog has no message id to keep), `time`
 * the message's TIMESTAMP or now. The extensions `syslogseverity` and `syslogfacility` carry the
 * names, so that filters can select on them; `data` is the whole message as a JSON object.
 */
export function syslogToEvent(
  mapper: CeMapper,
  message: SyslogMessage,
  peer: string,
  now: string,
  named: NamedByMapping,
): CloudEvent {
  const host = message.hostname ?? peer;
  const attributes: Record<string, AttributeValue> = mapper(
    {
      line: message.message,
      severity: message.severityName,
      facility: message.facilityName,
      hostname: message.hostname,
      appName: message.appName,
      procId: message.procId,
      msgId: message.msgId,
      structuredData: message.structuredData,
    },
    {
      ...(named.type ? {} : { type: SYSLOG_MESSAGE_TYPE }),
      ...(named.source
        ? {}
        : { source: `syslog://${encodeURIComponent(host)}/${encodeURIComponent(message.appName ?? '-')}` }),
      id: randomUUID(),
      time: message.timestamp ?? now,
      datacontenttype: 'application/json',
      extensions: { syslogseverity: message.severityName, syslogfacility: message.facilityName },
    },
  );
  const data = {
    protocol: message.protocol,
    severity: message.severityName,
    severityCode: message.severity,
    facility: message.facilityName,
    facilityCode: message.facility,
    timestamp: message.timestamp ?? null,
    hostname: message.hostname ?? null,
    appName: message.appName ?? null,
    procId: message.procId ?? null,
    msgId: message.msgId ?? null,
    structuredData: message.structuredData,
    message: message.message,
    peer,
  };
  return { attributes: validateAttributes(attributes, JSON_VALUES), data: { kind: 'json', value: data } };
}
