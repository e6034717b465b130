/**
 * What sets the two Google sinks apart. Both call an HTTPS endpoint with a Google-signed ID
 * token; they differ in which audience that token must name and which role lets its service
 * account invoke, so an operator's 401 or 403 can say what to check.
 */
export interface GooglePlatform {
  readonly kind: 'cloudrun' | 'gcf';
  /** The product's name, for messages. */
  readonly product: string;
  readonly summary: string;
  readonly uriDescription: string;
  readonly uriExample: string;
  readonly audienceDefault: string;
  /** The audience of the ID token when the settings give none. */
  defaultAudience(uri: URL): string;
  /** The IAM role the caller's service account needs on the service or function. */
  readonly invokerRole: string;
}

export const CLOUD_RUN: GooglePlatform = {
  kind: 'cloudrun',
  product: 'Cloud Run',
  summary:
    'POSTs each event (CloudEvents HTTP binary mode) to a Cloud Run service with a Google-signed ID token, from a service account key file or the metadata server; 2xx is success, 5xx, 408, 429 and timeouts are retried, other 4xx are permanent.',
  uriDescription:
    'The URL events are POSTed to: the service URL (https://<service>-<hash>.<region>.run.app), with a path if the service routes on it. http:// only for a loopback host (a local emulator): an ID token is a bearer credential.',
  uriExample: 'https://orders-xyz-ew.a.run.app',
  audienceDefault: 'the origin of `uri` (its scheme and host, without the path)',
  // Cloud Run accepts a token whose audience is the service's own URL (or one of its custom
  // audiences); a path in `uri` picks a route inside the service and is not part of it.
  defaultAudience: (uri) => uri.origin,
  invokerRole: 'roles/run.invoker',
};

export const CLOUD_FUNCTIONS: GooglePlatform = {
  kind: 'gcf',
  product: 'Cloud Functions',
  summary:
    'POSTs each event (CloudEvents HTTP binary mode) to a Cloud Function over HTTPS with a Google-signed ID token, from a service account key file or the metadata server; 2xx is success, 5xx, 408, 429 and timeouts are retried, other 4xx are permanent.',
  uriDescription:
    "The function's trigger URL (https://<region>-<project>.cloudfunctions.net/<function>, or the run.app URL of a 2nd gen function). http:// only for a loopback host (a local emulator): an ID token is a bearer credential.",
  uriExample: 'https://europe-west1-my-project.cloudfunctions.net/on-order',
  audienceDefault: '`uri` without its query and fragment',
  // A cloudfunctions.net function is named by the URL's path, and its audience is the whole
  // function URL; a bare run.app URL of a 2nd gen function is its origin.
  defaultAudience: (uri) => (uri.pathname === '/' ? uri.origin : `${uri.origin}${uri.pathname}`),
  invokerRole: 'roles/cloudfunctions.invoker (1st gen) or roles/run.invoker (2nd gen)',
};
