/**
 * A record on its way through the pipeline: a line from the splitter, a container message after
 * unwrapping, or a joined multi-line record. Only the record builder turns it into a LogRecord,
 * so parsing happens once, on the final text.
 */
export interface Entry {
  /** File offset of the first byte. */
  offset: number;
  /** File offset just past the last byte (past the newline). */
  end: number;
  text: string;
  /** Raw bytes, kept only with encoding binary. */
  bytes: Uint8Array | undefined;
  /** Set when the text was cut at maxLineBytes: the full length in bytes. */
  originalBytes: number | undefined;
  stream: 'stdout' | 'stderr' | undefined;
  runtimeTime: string | undefined;
  /** Set when a container-format line was not in that format: the text is then the raw line. */
  unwrapError: string | undefined;
}
