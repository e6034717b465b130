/** Fission's default namespace: the router's function route leaves it out of the path. */
const DEFAULT_NAMESPACE = 'default';

/**
 * The router's function route: `/fission-function/NAME` for a function in the default
 * namespace, `/fission-function/NAMESPACE/NAME` for any other (the router registers exactly
 * these; `/fission-function/default/NAME` would be a route miss).
 */
export function functionRoute(router: URL, functionName: string, namespace: string | undefined): URL {
  const segments = ['fission-function'];
  if (namespace !== undefined && namespace !== DEFAULT_NAMESPACE) segments.push(namespace);
  segments.push(functionName);
  return withPath(router, `/${segments.map(encodeURIComponent).join('/')}`);
}

/** An HTTP trigger's URL: its relative URL (with any query) below the router's. */
export function triggerRoute(router: URL, relativeUrl: string): URL {
  return withPath(router, relativeUrl);
}

/**
 * `path` (with any query) below the router URL's own path, which is a prefix when the router
 * sits behind an ingress. Set through URL fields rather than resolved as a reference, so that
 * no path can name another host (`//elsewhere/x`).
 */
function withPath(router: URL, path: string): URL {
  const url = new URL(router.origin);
  const queryAt = path.indexOf('?');
  const prefix = router.pathname.replace(/\/+$/, '');
  url.pathname = prefix + (queryAt === -1 ? path : path.slice(0, queryAt));
  if (queryAt !== -1) url.search = path.slice(queryAt);
  return url;
}
