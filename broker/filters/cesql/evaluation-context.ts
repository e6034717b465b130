/**
 * The state of one evaluation: the event's attributes and the errors collected so far.
 *
 * Two error handling modes (cesql.md §4.1): complete evaluation collects every error and carries
 * on, which `evaluate` uses; fail fast stops at the first error, which `matches` uses, since a
 * filter rejects an event as soon as any error occurs (§1.2). Fail fast is implemented by throwing
 * a private signal that only `matches` catches; it never escapes the public API.
 */
import type { AttributeValue } from '../../cloudevents/event.js';
import type { CesqlError, ErrorSink } from './errors.js';

export type CesqlAttributes = Readonly<Record<string, AttributeValue>>;

/** Thrown in fail-fast mode on the first error. Not an Error: it carries no stack and is never shown. */
export class FailFastSignal {
  static readonly instance = new FailFastSignal();
  private constructor() {}
}

export class EvaluationContext implements ErrorSink {
  readonly errors: CesqlError[] = [];

  constructor(
    readonly attributes: CesqlAttributes,
    private readonly failFast: boolean,
  ) {}

  report(error: CesqlError): void {
    if (this.failFast) throw FailFastSignal.instance;
    this.errors.push(error);
  }
}
