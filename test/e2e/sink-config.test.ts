import { describe, expect, it } from 'vitest';
import { runCli, scratchDirs } from './support.js';

/**
 * Typed sinks with mistakes, through the real `validate` and `start`: each mistake is reported at
 * its file:line:col, and no secret's value appears anywhere in what the broker prints.
 */
describe('typed sink configuration errors', () => {
  const fresh = scratchDirs();
  const SECRET = 'hunter2-very-secret-value';

  const manifest = (name: string, sink: string) =>
    `apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: ${name} }\nspec:\n  sink:\n${sink}\n`;

  it('reports each mistake at its position and never prints a secret', async () => {
    const d = fresh();
    d.write(
      'subs.yaml',
      [
        manifest('bad-arn', '    lambda: { function: "arn:aws:lambda:eu-west-1:12:function" }'),
        manifest(
          'unknown-field',
          '    openfaas: { gateway: "http://gw:8080", function: resize, asynch: true }',
        ),
        manifest(
          'missing-secret',
          '    azure: { uri: "https://app.azurewebsites.net/api/f", functionKey: { fromEnv: TB_UNSET_AZ_KEY } }',
        ),
        manifest('bad-url', '    knative: { uri: "not a url" }'),
        manifest(
          'both-auth',
          `    cloudrun: { uri: "https://svc.a.run.app", auth: metadata, serviceAccountKey: { fromEnv: TB_SA_KEY } }`,
        ),
        manifest(
          'ok-wsk',
          '    openwhisk: { apiHost: "https://wsk.example", action: hello, auth: { fromEnv: TB_WSK_AUTH } }',
        ),
      ].join('---\n'),
    );
    const start = await runCli(
      ['start', d.config, '--data', d.data, '--port', '0'],
      {
        TB_SA_KEY: SECRET,
        TB_WSK_AUTH: `uuid:${SECRET}`,
      },
      { timeoutMs: 20_000 },
    );
    expect(start.code).toBe(1);
    const out = start.stderr;
    const file = `${d.config}/subs.yaml`;
    const lines = out.trim().split('\n');
    expect(lines).toEqual([
      `${file}:6:25: "arn:aws:lambda:eu-west-1:12:function" is not a Lambda function ARN: expected arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`,
      `${file}:13:62: unknown field "asynch" (allowed here: gateway, function, async, callbackUrl, basicAuth, headerEncoding)`,
      `${file}:20:71: secret: environment variable TB_UNSET_AZ_KEY is not set`,
      `${file}:27:21: is not an absolute URL`,
      `${file}:34:15: give serviceAccountKey or auth: metadata, not both`,
      `trigger-broker: refusing to start: 5 problem(s) in ${d.config}`,
    ]);
    expect(out).not.toContain(SECRET);
    expect(start.stdout).not.toContain(SECRET);
  });
});
