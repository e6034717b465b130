import type { ConnectorState } from './ports/connector.js';

/** One Source as `/readyz` shows it. */
export interface SourceReadiness {
  kind: string;
  /** `required: true` in its manifest: the broker is not ready while this Source is not up. */
  required: boolean;
  status: ConnectorState['status'];
  /** Why it is reconnecting or degraded. */
  error?: string;
  /** Reconnection attempts so far. */
  attempt?: number;
}

/** The body of `/readyz`, and whether it answers 200. */
export interface Readiness {
  ready: boolean;
  /** `store`, `intake` and `source/NAME` for each Source: `ok`, or what is wrong. */
  checks: Record<string, string>;
  sources: Record<string, SourceReadiness>;
}

/**
 * Readiness is about intake: the broker is ready while its store can commit and its HTTP intake
 * runs, since then `POST /events` and `/webhooks/...` are answered 202. A Source that is
 * connecting or reconnecting to its own broker (MQTT, Kafka, NATS) is shown, with its error,
 * but does not take the broker's HTTP intake out of a Kubernetes Service; one whose manifest says
 * `required: true` does, until it is up. A degraded Source (a log file gone) still reads what it
 * can and counts as up.
 */
export function readinessOf(
  store: string,
  intake: string,
  sources: readonly { name: string; kind: string; required: boolean; state: ConnectorState | undefined }[],
): Readiness {
  const checks: Record<string, string> = { store, intake };
  let ready = store === 'ok' && intake === 'ok';
  const shown: Record<string, SourceReadiness> = {};
  for (const source of sources) {
    const { name, kind, required } = source;
    const state: ConnectorState = source.state ?? { status: 'connecting' };
    const entry: SourceReadiness = { kind, required, status: state.status };
    if (state.status === 'reconnecting') {
      entry.error = state.error;
      entry.attempt = state.attempt;
    } else if (state.status === 'degraded') entry.error = state.error;
    shown[name] = entry;
    checks[`source/${name}`] =
      state.status === 'up' ? 'ok' : state.status === 'degraded' ? `degraded: ${state.error}` : state.status;
    if (required && state.status !== 'up' && state.status !== 'degraded') ready = false;
  }
  return { ready, checks, sources: shown };
}
