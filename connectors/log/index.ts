/**
 * The `log` Source: its block is part of the manifest format, and this build cannot run it yet,
 * so a Source that uses it is reported as not available (no builder).
 */
import type { ConnectorDescriptor } from '../../broker/ports/connector.js';
import { LOG_SETTINGS_SCHEMA } from './settings-schema.js';

export const logConnector: ConnectorDescriptor = {
  kind: 'log',
  summary: 'Tails log files and receives syslog (not available in this build yet).',
  settings: LOG_SETTINGS_SCHEMA,
};
