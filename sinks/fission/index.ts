/** The Fission sink: `sink: { fission: { router, function, namespace } }` or `{ router, path }`. */
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { SinkDescriptor } from '../../broker/ports/sink.js';
import { httpUrlSetting } from '../../broker/sink-kit/settings.js';
import { FissionSink } from './fission-sink.js';
import { functionRoute, triggerRoute } from './router-routes.js';
import { FISSION_NAME, FISSION_TRIGGER_PATH, type FissionSinkSpec, fissionSettings } from './settings.js';

export type { FissionSinkSpec } from './settings.js';

/** A `..` segment would be resolved away and reach another route than the one written. */
const DOT_DOT_SEGMENT = /(^|\/)\.\.(\/|\?|$)/;

export const fissionSink: SinkDescriptor<FissionSinkSpec> = {
  kind: 'fission',
  summary:
    "POSTs each event to a Fission function through the router, on its function route (/fission-function/[namespace/]name) or an HTTP trigger's URL, in the CloudEvents HTTP binary mode; any 2xx is success, 5xx, 408, 429, timeouts and refused connections are retried, other 4xx are permanent.",
  settings: fissionSettings,
  build({ spec, path, report, concurrency }) {
    const at = (...segments: PathSegment[]) => [...path, ...segments];
    let valid = true;
    const problem = (where: readonly PathSegment[], message: string) => {
      report(where, message);
      valid = false;
    };

    const router = httpUrlSetting(spec.router, at('router'), report);
    if (router === undefined) valid = false;
    else if (router.username !== '' || router.password !== '')
      problem(
        at('router'),
        'the router URL must not carry credentials (they would be logged as its destination)',
      );

    if (spec.function !== undefined && spec.path !== undefined)
      problem(path, 'give exactly one of function (call it by name) and path (an HTTP trigger), not both');
    else if (spec.function === undefined && spec.path === undefined)
      problem(path, "give function (the function's name) or path (an HTTP trigger's URL)");

    if (spec.function !== undefined && !FISSION_NAME.test(spec.function))
      problem(at('function'), `"${spec.function}" is not a Fission function name (a DNS-1123 label)`);
    if (spec.namespace !== undefined) {
      if (spec.function === undefined)
        problem(at('namespace'), 'namespace goes with function; an HTTP trigger already names its function');
      else if (!FISSION_NAME.test(spec.namespace))
        problem(at('namespace'), `"${spec.namespace}" is not a Kubernetes namespace name (a DNS-1123 label)`);
    }
    if (spec.path !== undefined && (!FISSION_TRIGGER_PATH.test(spec.path) || DOT_DOT_SEGMENT.test(spec.path)))
      problem(
        at('path'),
        // Not quoted: a query may carry a key.
        `is not an HTTP trigger's relative URL (one that starts with "/", is not "/" alone, and has no ".." segment)`,
      );

    if (!valid || router === undefined) return undefined;
    const target =
      spec.function !== undefined
        ? {
            url: functionRoute(router, spec.function, spec.namespace),
            target: `function "${spec.function}"${spec.namespace ? ` in namespace ${spec.namespace}` : ''}`,
          }
        : { url: triggerRoute(router, spec.path ?? ''), target: `HTTP trigger ${spec.path?.split('?')[0]}` };
    return new FissionSink({
      ...target,
      connections: concurrency,
      headerEncoding: spec.headerEncoding ?? 'percent',
    });
  },
};
