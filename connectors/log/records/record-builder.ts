import type { Entry } from './entry.js';
import { type MessageParser, messageParser } from './message-parser.js';
import type { LogRecord } from './record.js';
import { lineFormatOf, type RecordPipelineSettings } from './settings.js';
import { TimeFieldReader } from './time-field.js';

/**
 * Turns a finished entry into the record an event is made of: parses its text with the line
 * format, and stamps its time. Parsing happens here, once per record, on the final text (after
 * unwrapping and multi-line joining).
 */
export class RecordBuilder {
  /** Undefined for plain text, the hot path, which needs no parser call. */
  private readonly parse: MessageParser | undefined;
  private readonly timeField: TimeFieldReader | undefined;

  constructor(settings: RecordPipelineSettings) {
    const format = lineFormatOf(settings);
    this.parse = format === 'plain' ? undefined : messageParser(format, settings.regex);
    this.timeField =
      settings.timeField === undefined
        ? undefined
        : new TimeFieldReader(settings.timeField, settings.timeFormat);
  }

  build(entry: Entry): LogRecord {
    const { offset, end, text } = entry;
    let record: LogRecord;
    if (entry.unwrapError !== undefined) {
      record = { offset, end, line: text, data: { kind: 'text', text }, parseError: entry.unwrapError };
    } else if (entry.bytes !== undefined) {
      record = { offset, end, line: text, bytes: entry.bytes, data: { kind: 'bytes', bytes: entry.bytes } };
    } else if (this.parse === undefined) {
      record = { offset, end, line: text, data: { kind: 'text', text } };
    } else {
      const parsed = this.parse(text);
      record = { offset, end, line: text, data: parsed.data };
      if (parsed.fields !== undefined) record.fields = parsed.fields;
      if (parsed.parseError !== undefined) record.parseError = parsed.parseError;
    }
    if (entry.originalBytes !== undefined) record.truncated = { originalBytes: entry.originalBytes };
    if (entry.stream !== undefined) record.stream = entry.stream;
    if (entry.runtimeTime !== undefined) record.runtimeTime = entry.runtimeTime;
    this.stampTime(record);
    return record;
  }

  /**
   * The time from timeField when it has a valid one; otherwise (no timeField, a line that did not
   * parse, or a bad value, explained in timeError) the container runtime's timestamp, if any.
   */
  private stampTime(record: LogRecord): void {
    if (this.timeField !== undefined && record.fields !== undefined) {
      const result = this.timeField.read(record.fields);
      if (result.time !== undefined) {
        record.time = result.time;
        return;
      }
      record.timeError = result.error;
    }
    if (record.runtimeTime !== undefined) record.time = record.runtimeTime;
  }
}
