/** The line-to-record pipeline of the `log` Source: pure, no I/O, time passed in. */
export { RecordPipeline } from './pipeline.js';
export type { LogRecord, RecordData } from './record.js';
export {
  type LineFormat,
  type MultilineSettings,
  type RecordFormat,
  type RecordPipelineSettings,
  type TimeFormat,
  validateSettings,
} from './settings.js';
