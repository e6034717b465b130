/**
 * One line an operator can act on, for each way an MQTT connection fails: the network, the
 * CONNACK refusal codes of 3.1.1 (3.2.2.3) and 5.0 (3.2.2.2), and a server DISCONNECT (3.14.2.1).
 */

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: is the MQTT broker running at this address and port?',
  ENOTFOUND: 'host not found: check the host name in url',
  EAI_AGAIN: 'host name lookup failed (DNS): check the host name in url',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'the MQTT broker closed the connection',
  ETIMEDOUT: 'connection timed out',
};

/** CONNACK codes that mean the credentials or the client id are wrong, with what to check. */
const REFUSAL_HINTS: Readonly<Record<number, string>> = {
  2: 'check clientId',
  4: 'check username and password',
  5: 'check username and password, and the MQTT broker ACL',
  133: 'check clientId',
  134: 'check username and password',
  135: 'check username and password, and the MQTT broker ACL',
  138: 'this client is banned by the MQTT broker',
};

/** Reason codes of a DISCONNECT sent by the server that need a word of explanation. */
const DISCONNECT_HINTS: Readonly<Record<number, string>> = {
  142: 'session taken over: another client connected with the same clientId; each trigger-broker process needs its own clientId (in an MQTT 5 shared group, a member may also have taken this session over while this process seemed away)',
};

export function describeConnectionError(error: Error & { code?: unknown }): string {
  const { code } = error;
  if (typeof code === 'string') return NETWORK_HINTS[code] ?? `${error.message} (${code})`;
  if (typeof code === 'number') {
    const hint = REFUSAL_HINTS[code];
    return hint === undefined ? `${error.message} (reason code ${code})` : `${error.message}: ${hint}`;
  }
  return error.message;
}

export function describeServerDisconnect(reasonCode: number | undefined): string {
  const code = reasonCode ?? 0;
  return DISCONNECT_HINTS[code] ?? `the MQTT broker sent DISCONNECT with reason code ${code}`;
}
