/** Parse errors are raised at compile time with the character offset of the fault (cesql.md §3.3). */
import { describe, expect, it } from 'vitest';
import { CesqlParseError, compileCesql } from '../../../../broker/filters/cesql/index.js';
import { parseErrorOf } from './helpers.js';

describe('CesqlParseError', () => {
  it.each([
    ['', 0, /empty/],
    ['   ', 3, /empty/],
    ['ABC(', 4, /expected an expression/],
    ['(1 + 2', 6, /expected '\)'.*opened at offset 0/],
    ['LENGTH(1, 2', 11, /expected '\)' to close the arguments of LENGTH/],
    ['1 +', 3, /expected an expression/],
    ['1 2', 2, /unexpected the integer 2/],
    ['a b', 2, /unexpected 'b'/],
    ['1 )', 2, /unexpected '\)'/],
    ["'abc", 0, /unterminated string/],
    ['"abc\\"', 0, /unterminated string/],
    ["x = 'a\\'", 4, /unterminated string/],
    ['x LIKE 123', 7, /LIKE pattern must be a string literal/],
    ['x LIKE y', 7, /LIKE pattern must be a string literal/],
    ["x LIKE ('a')", 7, /LIKE pattern must be a string literal/],
    ['x NOT y', 6, /expected LIKE or IN after NOT/],
    ['x IN 1', 5, /expected '\(' to start the set after IN/],
    ['x IN ()', 6, /at least one expression/],
    ['x IN (1, 2', 10, /close the IN set/],
    ['EXISTS 1', 7, /attribute name after EXISTS/],
    ['EXISTS AND', 7, /attribute name after EXISTS/],
    ['EXISTS (id)', 7, /attribute name after EXISTS/],
    ['AND', 0, /keyword AND/],
    ['1 + AND', 4, /keyword AND/],
    ['2147483648', 0, /outside the 32-bit signed range/],
    ['-2147483649', 0, /outside the 32-bit signed range/],
    ['- 2147483648', 2, /outside the 32-bit signed range/],
    ['99999999999999999999', 0, /outside the 32-bit signed range/],
    ['+ 5', 0, /'\+' is only allowed as the sign/],
    ['+a', 0, /'\+' is only allowed as the sign/],
    ['1 # 2', 2, /unexpected character '#'/],
    ['a.b', 1, /unexpected character '\.'/],
    ['my_ext', 0, /not a valid attribute name/],
    ['FN1(2)', 0, /not a valid function name/],
    ['_X(1)', 0, /not a valid function name/],
    ['1 == 1', 3, /expected an expression, found '='/],
    ['!1', 0, /unexpected character '!'/],
    ['(', 1, /expected an expression/],
    [')', 0, /expected an expression, found '\)'/],
    ['f(1,)', 4, /expected an expression/],
  ])('%j fails at offset %d', (expression, offset, reason) => {
    const error = parseErrorOf(expression);
    expect(error).toBeInstanceOf(Error);
    expect(error.kind).toBe('parse');
    expect(error.offset).toBe(offset);
    expect(error.column).toBe(offset);
    expect(error.reason).toMatch(reason);
    expect(error.message).toContain(`offset ${offset}`);
    expect(error.expression).toBe(expression);
  });

  it('counts the offset in characters, not UTF-16 code units', () => {
    // '😀' is one character but two UTF-16 code units.
    const error = parseErrorOf(`'😀é' = #`);
    expect(error.offset).toBe(7);
    expect([...`'😀é' = #`][error.offset]).toBe('#');
  });

  it('is thrown by compileCesql, not deferred to evaluation', () => {
    expect(() => compileCesql('1 +')).toThrow(CesqlParseError);
  });

  it('is not raised for unknown functions: those are MissingFunctionErrors at evaluation (§3.5)', () => {
    expect(() => compileCesql('NO_SUCH_FUNCTION(1)')).not.toThrow();
  });
});
