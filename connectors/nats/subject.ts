/**
 * NATS subject syntax (docs.nats.io "Subject-Based Messaging"): tokens separated by `.`, none
 * empty; in a subscription filter `*` matches exactly one token and `>` one or more trailing
 * tokens, and each wildcard must be a whole token (`a.*.c`, `a.>`; not `a*` or `a.>.c`).
 */

/** Why a subscription filter is not a valid NATS subject, or undefined when it is. */
export function subjectFilterProblem(subject: string): string | undefined {
  if (/[\s]/.test(subject))
    return `subject "${subject}" contains whitespace, which NATS subjects cannot hold`;
  const tokens = subject.split('.');
  for (const [index, token] of tokens.entries()) {
    if (token === '') {
      return `subject "${subject}" has an empty token (subjects are tokens separated by single dots, such as "devices.*.temperature")`;
    }
    if (token === '>' && index !== tokens.length - 1) {
      return `subject "${subject}": ">" matches the remaining tokens and must be the last token`;
    }
    if (token.length > 1 && /[*>]/.test(token)) {
      return `subject "${subject}": the wildcards "*" and ">" must each be a whole token ("a.*.c", "a.>")`;
    }
  }
  return undefined;
}

/** The tokens of a message's subject: the `subject` template root (`${subject[1]}`). */
export function subjectTokens(subject: string): string[] {
  return subject.split('.');
}

/**
 * Names of streams and durable consumers end up as tokens of JetStream API subjects
 * (`$JS.API.CONSUMER.INFO.<stream>.<durable>`), so they cannot hold `.`, `*`, `>`, whitespace
 * or path separators (ADR-6 "Naming Rules").
 */
export function jetStreamNameProblem(what: 'stream' | 'durable', name: string): string | undefined {
  if (/[.*>/\\\s]/.test(name)) {
    return `${what} "${name}" cannot contain ".", "*", ">", "/", "\\" or whitespace (JetStream names are subject tokens)`;
  }
  return undefined;
}
