/**
 * The dependency rules of the layout, checked by `npm run lint:deps` as part of `npm test`: the core
 * (broker/, schemas/) knows plugins only through its ports (broker/ports/), plugins (connectors/, sinks/,
 * stores/) know only the core and their own folder, and plugins.ts is the one place that names them all.
 *
 * Paths are relative to the repository top. Imports are resolved the way tsc resolves them
 * (tsconfig.json, NodeNext: `./x.js` is `./x.ts`), and type-only imports count: a cycle or a
 * forbidden arrow made only of types is still one.
 */

/** Anything that speaks HTTP: the broker's server and bindings (today's and legacy names), the libraries. */
const HTTP = [
  '^broker/http/',
  '^broker/bindings/http',
  '^broker/cloudevents/http-',
  '(^|/)node_modules/(fastify|@fastify/[^/]+|undici)/',
  '^(node:)?https?$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules must not import each other, directly or through others: move what both need to a third.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-not-to-plugins',
      severity: 'error',
      comment:
        'The core (broker/, schemas/) reaches plugins only through its ports (broker/ports/); only the ' +
        'composition root plugins.ts names concrete connectors, sinks and stores.',
      from: { path: '^(broker|schemas)/' },
      to: { path: ['^(connectors|sinks|stores)/', '^plugins\\.ts$'] },
    },
    {
      name: 'plugin-not-to-other-plugin',
      severity: 'error',
      comment:
        'A connector, sink or store backend imports only its own folder and the core: what two plugins ' +
        'share belongs in the core.',
      from: { path: '^(connectors|sinks|stores)/([^/]+)/' },
      to: { path: '^(connectors|sinks|stores)/', pathNot: '^$1/$2/' },
    },
    {
      name: 'plugin-to-core-only',
      severity: 'error',
      comment:
        'Plugins import the core (broker/, schemas/), their own folder and packages; never plugins.ts, ' +
        'bench/, test/ or anything else of the repository.',
      from: { path: '^(connectors|sinks|stores)/' },
      to: { dependencyTypes: ['local'], pathNot: '^(broker|schemas|connectors|sinks|stores)/' },
    },
    {
      name: 'router-and-store-not-to-http',
      severity: 'error',
      comment:
        'The router and the store know nothing of HTTP: they import no broker/http/, no HTTP binding, ' +
        'no fastify, undici, node:http or node:https.',
      from: { path: ['^broker/router/', '^broker/ports/store\\.ts$', '^stores/'] },
      to: { path: HTTP },
    },
    {
      name: 'cloudevents-not-to-binding',
      severity: 'error',
      comment:
        'The CloudEvents model (broker/cloudevents/) imports no protocol binding: bindings live in ' +
        'broker/bindings/ and import the model, never the other way round.',
      from: { path: '^broker/cloudevents/' },
      to: { path: ['^broker/bindings/', '^broker/http/', '^broker/cloudevents/http-'] },
    },
    {
      name: 'cloudevents-no-http-module',
      severity: 'error',
      comment:
        'broker/cloudevents/ holds no HTTP binding module (http-*): they belong in broker/bindings/. ' +
        'Reported for every such file, whoever imports it.',
      // A module rule matching the file whatever imports it: "fewer than 100 dependents" (the most the
      // schema allows) is any number, 0 included, so the file's presence is the finding.
      module: { path: '^broker/cloudevents/http-', numberOfDependentsLessThan: 100 },
      from: {},
    },
    {
      name: 'opentelemetry-behind-tracing-port',
      severity: 'error',
      comment:
        'OpenTelemetry is imported by broker/tracing/otel.ts alone: the ingest and dispatch code speaks to the ' +
        'tracing port (broker/tracing/tracing.ts), so a broker without tracing never loads the SDK.',
      from: { pathNot: ['^broker/tracing/otel\\.ts$', '^test/'] },
      to: { path: '(^|/)node_modules/@opentelemetry/' },
    },
    {
      name: 'opentelemetry-loaded-lazily',
      severity: 'error',
      comment:
        'broker/tracing/otel.ts is reached only through the dynamic import in broker/tracing/load.ts, made ' +
        'when the OTEL_* environment turns tracing on: a static import would load the SDK into every broker.',
      from: {},
      to: {
        path: '^broker/tracing/otel\\.ts$',
        dependencyTypesNot: ['dynamic-import', 'type-only', 'type-import'],
      },
    },
    {
      name: 'not-to-test',
      severity: 'error',
      comment: 'Nothing outside test/ imports test/ (bench/ may use the real-broker harness, see below).',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' },
    },
    {
      name: 'bench-to-test-harness-only',
      severity: 'error',
      comment: 'bench/ may start real brokers with test/harness/, but imports no other part of test/.',
      from: { path: '^bench/' },
      to: { path: '^test/', pathNot: '^test/harness/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'Every import resolves to a file or package: an import the checker cannot follow is one the rules ' +
        'above cannot see.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // node_modules may be a symbolic link (git worktrees sharing one install): keep package paths as
    // node_modules/<name>/... so the rules above match them either way.
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    progress: { type: 'none' },
  },
};
