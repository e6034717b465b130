import { type Alias, type Document, visit } from 'yaml';

/**
 * How many alias expansions one document may make (the yaml library's `maxAliasCount`): enough
 * for any hand-written manifest, far below what a "billion laughs" document asks for.
 */
const MAX_ALIAS_COUNT = 100;

export type DocumentValue =
  | { readonly ok: true; readonly value: unknown }
  /** `offset` is where to point: the alias being expanded when it failed, else the document's start. */
  | { readonly ok: false; readonly message: string; readonly offset: number };

/**
 * Turns a parsed YAML document into plain data. The library throws here, rather than reporting
 * in `doc.errors`, for an alias bomb ("Excessive alias count") and for an alias to an anchor
 * not defined before it; its error carries no position, so the alias being expanded at that
 * moment is tracked to point at it. Never throws: a manifest must not take the broker down.
 */
export function documentValue(doc: Document.Parsed): DocumentValue {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_key, alias) => void aliases.push(alias) });
  const expanding: Alias[] = [];
  for (const alias of aliases) {
    const own = alias.toJSON;
    // The library converts an alias by calling its toJSON. An alias that throws stays on the
    // stack (no finally), so after a failure the top of the stack is the one that failed.
    alias.toJSON = function (this: Alias, ...args: Parameters<Alias['toJSON']>) {
      expanding.push(alias);
      const value = own.apply(this, args);
      expanding.pop();
      return value;
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    const at = expanding.at(-1)?.range?.[0] ?? doc.contents?.range?.[0] ?? doc.range[0];
    return { ok: false, message: error instanceof Error ? error.message : String(error), offset: at };
  } finally {
    // The prototype's method shows through again: the document is kept for its positions.
    for (const alias of aliases) delete (alias as { toJSON?: unknown }).toJSON;
  }
}
