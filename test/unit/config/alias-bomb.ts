/**
 * A manifest with nine levels of anchors, each aliasing the one before nine times ("billion
 * laughs"). The yaml library refuses to expand it at the first alias of line 8 (column 10):
 * the nine `*a` and the nine `*b` stay under its limit of 100 expansions; the first `*c` would
 * already bring 100 more.
 */
export const ALIAS_BOMB = [
  'apiVersion: trigger-broker/v1',
  'kind: Subscription',
  'metadata: { name: lol }',
  'spec:',
  '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
    (name, i) => `  ${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`,
  ),
  '',
].join('\n');

/** Where ALIAS_BOMB is refused, and with what words. */
export const ALIAS_BOMB_PROBLEM = {
  line: 8,
  col: 10,
  message: 'YAML: Excessive alias count indicates a resource exhaustion attack',
} as const;
