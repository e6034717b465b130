/**
 * The OpenFaaS gateway's invocation routes: `/function/NAME` answers with the function's own
 * response, `/async-function/NAME` queues the call and answers 202. NAME may be
 * `function.namespace`; the gateway splits it at the last dot itself, so it travels as one
 * path segment.
 */
export function functionRoute(gateway: URL, functionName: string, async: boolean): URL {
  const url = new URL(gateway);
  // A gateway behind an ingress may live under a path prefix (http://host/openfaas): keep it.
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}/${async ? 'async-function' : 'function'}/${encodeURIComponent(functionName)}`;
  return url;
}
