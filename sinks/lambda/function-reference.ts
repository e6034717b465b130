import { isRegionName } from './region.js';

/**
 * The Invoke API's `FunctionName` (Lambda API reference, Invoke, "Request URI parameters"):
 * a name (`my-function`), a full ARN (`arn:aws:lambda:us-west-2:123456789012:function:my-function`)
 * or a partial ARN (`123456789012:function:my-function`), each optionally followed by
 * `:VERSION-OR-ALIAS`.
 */
export interface FunctionReference {
  /** The function's name, without account, region or qualifier. */
  readonly name: string;
  /** The version or alias the reference itself names, if any. */
  readonly qualifier?: string;
  /** From a full ARN only. */
  readonly partition?: string;
  /** From a full ARN only: the function lives there, so it is the region to call. */
  readonly region?: string;
  /** From a full or partial ARN. */
  readonly account?: string;
}

export type ParsedFunctionReference =
  | { readonly ok: true; readonly reference: FunctionReference }
  | { readonly ok: false; readonly error: string };

/** Function names: letters, digits, hyphens and underscores (periods are allowed by the API's pattern), at most 64. */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** A version number, an alias name or $LATEST (Invoke, `Qualifier`: 1 to 128 characters). */
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const ACCOUNT = /^\d{12}$/;
/** aws, aws-cn, aws-us-gov, aws-iso-b... */
const PARTITION = /^aws(-[a-z]+)*$/;

const FORMS =
  'expected a function name (my-function, or my-function:ALIAS), a full ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) or a partial ARN (ACCOUNT:function:NAME[:QUALIFIER])';

/** Reads a `function` setting; the error says which part is wrong and never echoes more than the setting. */
export function parseFunctionReference(text: string): ParsedFunctionReference {
  if (text.startsWith('arn:')) return parseFullArn(text);
  const parts = text.split(':');
  if (parts.length >= 3 && parts[1] === 'function') return parsePartialArn(text, parts);
  if (parts.length > 2) return failure(`"${text}" is not a function reference: ${FORMS}`);
  return nameWithQualifier(text, parts[0]!, parts[1]);
}

/** arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
function parseFullArn(text: string): ParsedFunctionReference {
  const parts = text.split(':');
  if (parts.length < 7 || parts.length > 8)
    return failure(
      `"${text}" is not a Lambda function ARN: expected arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`,
    );
  const [, partition, service, region, account, resourceType, name, qualifier] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const problem =
    (!PARTITION.test(partition) &&
      `the partition "${partition}" is not an AWS partition (aws, aws-cn, ...)`) ||
    (service !== 'lambda' && `the service is "${service}", not "lambda"`) ||
    (!isRegionName(region) && `"${region}" is not an AWS region name (such as eu-west-1)`) ||
    (!ACCOUNT.test(account) && `the account "${account}" is not a 12-digit account ID`) ||
    (resourceType !== 'function' && `the resource type is "${resourceType}", not "function"`) ||
    nameProblem(name) ||
    qualifierProblem(qualifier);
  if (problem) return failure(`"${text}" is not a Lambda function ARN: ${problem}`);
  return success({ name, partition, region, account, ...(qualifier === undefined ? {} : { qualifier }) });
}

/** ACCOUNT:function:NAME[:QUALIFIER] */
function parsePartialArn(text: string, parts: string[]): ParsedFunctionReference {
  const [account, , name, qualifier, ...rest] = parts as [string, string, string, string | undefined];
  const problem =
    (rest.length > 0 && 'too many ":"-separated parts') ||
    (!ACCOUNT.test(account) && `the account "${account}" is not a 12-digit account ID`) ||
    nameProblem(name) ||
    qualifierProblem(qualifier);
  if (problem) return failure(`"${text}" is not a partial function ARN (ACCOUNT:function:NAME): ${problem}`);
  return success({ name, account, ...(qualifier === undefined ? {} : { qualifier }) });
}

function nameWithQualifier(
  text: string,
  name: string,
  qualifier: string | undefined,
): ParsedFunctionReference {
  const problem = nameProblem(name) || qualifierProblem(qualifier);
  if (problem) return failure(`"${text}" is not a function name: ${problem}`);
  return success({ name, ...(qualifier === undefined ? {} : { qualifier }) });
}

function nameProblem(name: string): string | false {
  return (
    !NAME.test(name) &&
    `the function name "${name}" must be 1 to 64 letters, digits, hyphens, underscores or periods`
  );
}

function qualifierProblem(qualifier: string | undefined): string | false {
  return qualifier !== undefined && qualifierSettingProblem(qualifier);
}

/** What is wrong with a version or alias, or false: shared with the `qualifier` setting. */
export function qualifierSettingProblem(qualifier: string): string | false {
  return (
    !QUALIFIER.test(qualifier) &&
    `the qualifier "${qualifier}" must be $LATEST, a version number or an alias name (letters, digits, hyphens, underscores; at most 128)`
  );
}

function success(reference: FunctionReference): ParsedFunctionReference {
  return { ok: true, reference };
}

function failure(error: string): ParsedFunctionReference {
  return { ok: false, error };
}
