/**
 * One syslog message as the parser hands it over, the same shape for both wire formats so that
 * the rest of the `log` Source does not care which one a sender speaks: RFC 5424 (the syslog
 * protocol) or RFC 3164 (the older BSD format, which most devices still send).
 */
export interface SyslogMessage {
  protocol: 'rfc5424' | 'rfc3164';
  /** 0..23, the PRI value divided by 8 (RFC 5424 §6.2.1). */
  facility: number;
  /** 0..7, the PRI value modulo 8 (RFC 5424 §6.2.1). */
  severity: number;
  /** 'kern', 'user', ... 'local7': the keywords syslog.conf(5) uses for the facility. */
  facilityName: string;
  /** 'emerg', 'alert', ... 'debug': the keywords syslog.conf(5) uses for the severity. */
  severityName: string;
  /**
   * RFC 5424: the RFC 3339 TIMESTAMP exactly as sent (with its own offset and precision).
   * RFC 3164: an ISO string (UTC) made from "Mmm dd hh:mm:ss", which has no year and no zone.
   * Undefined for the NILVALUE, or when a 3164 message carries no usable timestamp.
   */
  timestamp?: string;
  /** Undefined for the NILVALUE '-' (5424) or when a 3164 message names no host. */
  hostname?: string;
  /** APP-NAME (5424) or TAG (3164). */
  appName?: string;
  /** PROCID (5424) or the "[pid]" after the TAG (3164). */
  procId?: string;
  /** MSGID (5424 only). */
  msgId?: string;
  /**
   * SD-ID -> PARAM-NAME -> value, with the escapes \" \\ \] undone (RFC 5424 §6.3.3). A parameter
   * that appears more than once in an element keeps all its values, in order, as an array.
   * Empty for the NILVALUE and for 3164. The records have no prototype, so an SD-ID or a
   * PARAM-NAME such as "__proto__" or "constructor" is an ordinary key.
   */
  structuredData: Record<string, Record<string, string | string[]>>;
  /** MSG, decoded as UTF-8: a leading BOM removed (RFC 5424 §6.4), invalid bytes as U+FFFD. */
  message: string;
}
