/**
 * A JSON Schema (draft-07) fragment as plugins declare their settings. Kept loose on purpose:
 * the reference generator reads `description`, `default`, `examples`, `properties` and
 * `required`, and ajv checks the rest when the manifest schema is compiled.
 */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly [keyword: string]: unknown;
}
