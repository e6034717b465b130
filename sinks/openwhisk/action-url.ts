import type { PathSegment } from '../../broker/config/yaml-document.js';
import { httpUrlSetting } from '../../broker/sink-kit/settings.js';

type Report = (path: readonly PathSegment[], message: string) => void;

/**
 * Reads `apiHost`: an http(s) URL without credentials (they go in `auth`, a secret), query or
 * fragment. Messages never repeat the URL, since a mistaken one may hold the key.
 */
export function apiHostSetting(value: string, path: readonly PathSegment[], report: Report): URL | undefined {
  // Checked here first because httpUrlSetting quotes a value it cannot parse.
  if (!URL.canParse(value)) {
    report(path, 'is not an absolute URL: give the scheme too (https://<api host>)');
    return undefined;
  }
  const url = httpUrlSetting(value, path, report);
  if (!url) return undefined;
  if (url.username || url.password) {
    report(path, 'the URL carries credentials: put UUID:KEY in auth, a secret reference');
    return undefined;
  }
  if (url.search || url.hash) {
    report(path, 'the API host takes no query or fragment; the sink adds ?blocking=...&result=false itself');
    return undefined;
  }
  if (/\/api\/v1(\/|$)/.test(url.pathname)) {
    report(path, 'leave out /api/v1: the sink adds /api/v1/namespaces/... to the API host itself');
    return undefined;
  }
  return url;
}

/**
 * The path segments of an action name: `name` or `package/name`. OpenWhisk does not nest
 * packages, and a fully qualified `/namespace/...` name would duplicate `namespace`.
 */
export function actionSegments(
  action: string,
  path: readonly PathSegment[],
  report: Report,
): string[] | undefined {
  if (action.startsWith('/')) {
    report(
      path,
      'give the action as name or package/name, without a leading "/"; the namespace goes in namespace',
    );
    return undefined;
  }
  const segments = action.split('/');
  if (segments.length > 2 || segments.some((s) => s.trim() === '')) {
    report(path, 'must be name or package/name (packages do not nest), with no empty part');
    return undefined;
  }
  return segments;
}

/** Checks the namespace: one path segment, not empty. */
export function namespaceSetting(namespace: string, path: readonly PathSegment[], report: Report): boolean {
  if (namespace.trim() === '' || namespace.includes('/')) {
    report(path, 'must be a namespace name without "/" (or _ for the default namespace of auth)');
    return false;
  }
  return true;
}

/**
 * The action's REST resource, `{apiHost}/api/v1/namespaces/{namespace}/actions/[{package}/]{name}`
 * (OpenWhisk REST API, entity endpoints): each name percent-encoded on its own, so that the
 * slash between package and action stays a path separator.
 */
export function actionUrl(apiHost: URL, namespace: string, segments: readonly string[]): URL {
  const prefix = apiHost.pathname.replace(/\/+$/, '');
  const action = segments.map(encodeURIComponent).join('/');
  return new URL(
    `${prefix}/api/v1/namespaces/${encodeURIComponent(namespace)}/actions/${action}`,
    apiHost.origin,
  );
}

/**
 * The invocation URL: `blocking` as configured, and `result=false` always, since the sink reads
 * the whole activation record: its activationId and response.success (with result=true a
 * blocking call answers the action's result alone).
 */
export function invokeUrl(action: URL, blocking: boolean): string {
  return `${action.toString()}?blocking=${blocking}&result=false`;
}
