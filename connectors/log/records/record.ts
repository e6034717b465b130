/** What an event is made of: JSON fields, text, or raw bytes (`data_base64`). */
export type RecordData =
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

/** One record of a log file; each becomes one CloudEvent. */
export interface LogRecord {
  /** Byte offset of the record's first byte in the file (the default event id derives from it). */
  offset: number;
  /** Byte offset just past the record (past its newline). */
  end: number;
  /**
   * The record's text, decoded as UTF-8 (invalid bytes become U+FFFD), without newline or trailing
   * CR. For cri/docker the unwrapped message (partials joined); a multi-line record's lines are
   * joined with '\n'.
   */
  line: string;
  /** With encoding `binary`: the record's raw bytes (the same as `data.bytes`). */
  bytes?: Uint8Array;
  /**
   * The parsed message: the JSON object's fields or the regex's named groups that matched. Only
   * the message's own fields: the container runtime's stream and timestamp are in `stream` and
   * `runtimeTime`, so they never collide with a field of the same name.
   */
  fields?: Record<string, unknown>;
  data: RecordData;
  /** RFC 3339: from `timeField`, else (cri/docker) the runtime's timestamp. */
  time?: string;
  /** Why `timeField` gave no time (absent, or not a timestamp); the record is emitted anyway. */
  timeError?: string;
  /** The text was cut at maxLineBytes; originalBytes is the full length. */
  truncated?: { originalBytes: number };
  /** The line did not parse as its format: then data is its text and fields are absent. */
  parseError?: string;
  /** cri/docker: the stream the container wrote the message to. */
  stream?: 'stdout' | 'stderr';
  /** cri/docker: the runtime's timestamp of the record (of its first partial), as written. */
  runtimeTime?: string;
}
