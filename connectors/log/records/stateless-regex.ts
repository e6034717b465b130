/**
 * The regex without the g and y flags. With them, exec and test start at `lastIndex`, left where
 * the previous line's match ended, so the answer for a line would depend on the line before it.
 */
export function statelessRegex(regex: RegExp): RegExp {
  return regex.global || regex.sticky ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, '')) : regex;
}
