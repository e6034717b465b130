/** The OpenFaaS sink: `sink: { openfaas: { gateway, function, async, callbackUrl, basicAuth } }`. */
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { SinkDescriptor } from '../../broker/ports/sink.js';
import { httpUrlSetting } from '../../broker/sink-kit/settings.js';
import { readBasicAuth } from './basic-auth.js';
import { OpenFaasSink } from './openfaas-sink.js';
import { OPENFAAS_FUNCTION_NAME, type OpenFaasSinkSpec, openFaasSettings } from './settings.js';

export type { OpenFaasSinkSpec } from './settings.js';

export const openFaasSink: SinkDescriptor<OpenFaasSinkSpec> = {
  kind: 'openfaas',
  summary:
    "POSTs each event to an OpenFaaS function through the gateway's /function/ route (or queues it on /async-function/), in the CloudEvents HTTP binary mode, optionally with basic auth; 404 (no such function) and 401 are permanent, 502/503/504 (scaling from zero) and 429 are retried.",
  settings: openFaasSettings,
  build(context) {
    const { spec, path, report, concurrency } = context;
    const at = (...segments: PathSegment[]) => [...path, ...segments];
    let valid = true;

    const gateway = httpUrlSetting(spec.gateway, at('gateway'), report);
    if (gateway === undefined) valid = false;
    else if (gateway.username !== '' || gateway.password !== '') {
      // Credentials in the URL would end up in the destination, and so in logs and dead letters.
      report(at('gateway'), 'the gateway URL must not carry credentials: put them in basicAuth');
      valid = false;
    }

    if (!OPENFAAS_FUNCTION_NAME.test(spec.function)) {
      report(
        at('function'),
        `"${spec.function}" is not a function name the gateway routes (letters, digits, - and _, with an optional .namespace)`,
      );
      valid = false;
    }

    const async = spec.async ?? false;
    let callbackUrl: string | undefined;
    if (spec.callbackUrl !== undefined && spec.callbackUrl !== null) {
      if (!async) {
        // The gateway only reads X-Callback-Url on /async-function/: a sync call answers directly.
        report(at('callbackUrl'), 'callbackUrl needs async: true (a sync call returns its result directly)');
        valid = false;
      } else if (httpUrlSetting(spec.callbackUrl, at('callbackUrl'), report) === undefined) valid = false;
      else callbackUrl = spec.callbackUrl;
    }

    const credentials = readBasicAuth(spec.basicAuth, at('basicAuth'), context);
    if (credentials === false) valid = false;

    if (!valid || gateway === undefined || credentials === false) return undefined;
    return new OpenFaasSink({
      gateway,
      functionName: spec.function,
      async,
      callbackUrl,
      credentials,
      connections: concurrency,
      headerEncoding: spec.headerEncoding ?? 'percent',
    });
  },
};
