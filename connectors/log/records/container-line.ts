/** One line of a container runtime's log file, unwrapped. */
export interface ContainerLine {
  /** The runtime's timestamp as RFC 3339, when it has a valid one. */
  time: string | undefined;
  stream: 'stdout' | 'stderr';
  /** The runtime split a long line: this part continues in the next line of the same stream. */
  partial: boolean;
  /** The message, without the newline that ended it. */
  message: string;
  /** How many characters of the line come before the message (0 when it is not a slice of the line). */
  prefixLength: number;
}

/** Reads one line of a container format; undefined when the line is not in that format. */
export type ContainerLineParser = (text: string) => ContainerLine | undefined;
