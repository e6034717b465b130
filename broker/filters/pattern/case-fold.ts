/**
 * Case folding for `equals-ignore-case` and the ignore-case forms of `prefix` and `suffix`.
 *
 * EventBridge documents these operators as ignoring case without saying how non-ASCII text folds.
 * We use Unicode's full, locale-independent case mappings: lower-casing first and then upper-casing
 * maps every case variant of a letter to one form, including the ones whose length changes
 * (`ß`, `ẞ` and `SS` all fold to `SS`) and the Greek sigma, whose final form `ς` would otherwise
 * stay distinct from `σ`. Nothing else is normalised: composed and decomposed accents still differ,
 * as they do for exact matching.
 */
export function foldCase(text: string): string {
  return text.toLowerCase().toUpperCase();
}
