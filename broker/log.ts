import { type Logger, pino } from 'pino';

/**
 * One JSON line per log record on stdout. Secrets never reach a log line: the `Secret` type
 * prints as "[secret]", and the paths below are censored in case a header or setting object
 * is ever logged whole.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'trigger-broker' },
      redact: {
        paths: [
          'headers.authorization',
          'req.headers.authorization',
          '*.headers.authorization',
          '*.secret',
          '*.password',
          '*.token',
          '*.tokens',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
