// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are templates of our own ${...} language, not JavaScript template literals
import { describe, expect, it } from 'vitest';
import { compileTemplate, TEMPLATE_ROOTS, TemplateSyntaxError } from '../../../broker/mapping/template.js';

const ROOTS = TEMPLATE_ROOTS;

function render(source: string, context: Record<string, unknown>, roots: readonly string[] = ROOTS) {
  return compileTemplate(source, roots).render(context);
}

/** Compiles and returns the syntax error, failing the test when there is none. */
function syntaxError(source: string, roots: readonly string[] = ROOTS): TemplateSyntaxError {
  try {
    compileTemplate(source, roots);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
}

describe('compileTemplate: paths', () => {
  const message = {
    body: { deviceId: 'dev-7', reading: { celsius: 21.5 }, 'a.b': 'dotted', 'with space': 'spaced' },
    headers: { 'x-github-event': 'push', 'x-request-id': 'req-1' },
    topic: ['sensors', 'dev-7', 'temperature'],
    query: { tenant: 'acme' },
  };

  it('renders literal text unchanged and reports it constant', () => {
    const template = compileTemplate('com.example.sensor.reading', ROOTS);
    expect(template.isConstant).toBe(true);
    expect(template.references).toEqual([]);
    expect(template.render({})).toBe('com.example.sensor.reading');
  });

  it('substitutes a property path inside literal text', () => {
    expect(render('/devices/${body.deviceId}/temp', message)).toBe('/devices/dev-7/temp');
  });

  it('walks nested properties', () => {
    expect(render('${body.reading.celsius}', message)).toBe('21.5');
  });

  it('accepts header names with dashes', () => {
    expect(render('${headers.x-github-event}', message)).toBe('push');
  });

  it('lower-cases the header name, since the headers root holds lower-case names', () => {
    const template = compileTemplate('${headers.X-Request-ID}', ROOTS);
    expect(template.references).toEqual(['headers.x-request-id']);
    expect(template.render(message)).toBe('req-1');
  });

  it('indexes arrays with [N] and with an all-digit name', () => {
    expect(render('${topic[0]}/${topic[2]}', message)).toBe('sensors/temperature');
    expect(render('${topic.1}', message)).toBe('dev-7');
  });

  it('reads keys with dots or spaces through quoted brackets', () => {
    expect(render("${body['a.b']}", message)).toBe('dotted');
    expect(render('${body["with space"]}', message)).toBe('spaced');
  });

  it('unescapes quotes and backslashes inside a quoted key', () => {
    const context = { body: { "it's": 1, 'back\\slash': 2 } };
    expect(render("${body['it\\'s']}", context)).toBe('1');
    expect(render('${body["back\\\\slash"]}', context)).toBe('2');
  });

  it('ignores spaces just inside the braces', () => {
    expect(render('${ query.tenant }', message)).toBe('acme');
  });

  it('lists references in canonical form, in order', () => {
    const template = compileTemplate("${topic[1]}-${body['a.b']}-${headers.x-github-event}-${body.x}", ROOTS);
    expect(template.isConstant).toBe(false);
    expect(template.references).toEqual(['topic[1]', "body['a.b']", 'headers.x-github-event', 'body.x']);
  });

  it('renders the whole root when the path has no segments', () => {
    expect(render('${query}', message)).toBe('{"tenant":"acme"}');
  });
});

describe('compileTemplate: values', () => {
  it('renders numbers and booleans in their JSON form', () => {
    const context = { partition: 3, offset: 0, body: { ok: false, ratio: 0.25, big: 1e21 } };
    expect(render('${partition}:${offset}', context)).toBe('3:0');
    expect(render('${body.ok}', context)).toBe('false');
    expect(render('${body.ratio}', context)).toBe('0.25');
    expect(render('${body.big}', context)).toBe('1e+21');
  });

  it('renders objects and arrays as compact JSON', () => {
    const context = { body: { tags: ['a', 'b'], meta: { n: 1, s: 'x' } } };
    expect(render('${body.tags}', context)).toBe('["a","b"]');
    expect(render('${body.meta}', context)).toBe('{"n":1,"s":"x"}');
  });

  it('renders bytes as UTF-8 text and bigints as digits', () => {
    expect(render('${key}', { key: new TextEncoder().encode('order-42') })).toBe('order-42');
    expect(render('${offset}', { offset: 9007199254740993n })).toBe('9007199254740993');
  });

  it('renders an empty string as an empty value, not a missing one', () => {
    expect(render('[${body.name}]', { body: { name: '' } })).toBe('[]');
  });
});

describe('compileTemplate: missing values', () => {
  const template = compileTemplate('/devices/${body.deviceId}', ROOTS);

  it('renders undefined when the value is absent', () => {
    expect(template.render({ body: {} })).toBeUndefined();
  });

  it('renders undefined when the value is null', () => {
    expect(template.render({ body: { deviceId: null } })).toBeUndefined();
  });

  it('renders undefined when a step on the way is missing or not an object', () => {
    expect(template.render({})).toBeUndefined();
    expect(template.render({ body: 'plain text' })).toBeUndefined();
    expect(compileTemplate('${body.a.b}', ROOTS).render({ body: { a: null } })).toBeUndefined();
  });

  it('renders undefined for an index past the end of an array', () => {
    expect(render('${topic[5]}', { topic: ['a'] })).toBeUndefined();
  });

  it('renders undefined when any one of several paths is missing', () => {
    expect(render('${topic[0]}/${body.id}', { topic: ['a'], body: {} })).toBeUndefined();
  });

  it('never reaches inherited properties, so a path cannot touch code', () => {
    expect(render('${body.constructor}', { body: {} })).toBeUndefined();
    expect(render('${body.__proto__}', { body: {} })).toBeUndefined();
    expect(render('${body.toString}', { body: {} })).toBeUndefined();
    expect(render('${topic.length}', { topic: ['a'] })).toBeUndefined();
  });
});

describe('compileTemplate: escapes', () => {
  it('reads $$ as a literal $, so $${ is a literal ${', () => {
    const template = compileTemplate('$${body.id} costs $$5', ROOTS);
    expect(template.isConstant).toBe(true);
    expect(template.render({ body: { id: 'x' } })).toBe('${body.id} costs $5');
  });

  it('keeps a lone $ that does not start ${ or $$', () => {
    expect(render('5$ and $x', {})).toBe('5$ and $x');
  });

  it('puts a literal $ right before a substitution with $$${', () => {
    expect(render('$$${body.price}', { body: { price: 3 } })).toBe('$3');
  });
});

describe('compileTemplate: syntax errors carry the offset of the fault', () => {
  it('unknown root, at the root name', () => {
    const error = syntaxError('/x/${bodi.id}');
    expect(error.offset).toBe(5);
    expect(error.message).toMatch(/unknown root 'bodi'/);
  });

  it('a root the connector does not offer is unknown', () => {
    const error = syntaxError('${topic[0]}', ['body', 'headers', 'query']);
    expect(error.offset).toBe(2);
    expect(error.reason).toMatch(/unknown root 'topic'.*body, headers, query/);
  });

  it('unclosed ${, at the ${', () => {
    const error = syntaxError('a-${body.id');
    expect(error.offset).toBe(2);
    expect(error.message).toMatch(/unclosed '\$\{'/);
    expect(syntaxError('tail ${').offset).toBe(5);
  });

  it('empty path', () => {
    const error = syntaxError('x${}');
    expect(error.offset).toBe(3);
    expect(error.message).toMatch(/empty path/);
  });

  it('empty name after a dot', () => {
    const error = syntaxError('${body.}');
    expect(error.offset).toBe(7);
    expect(error.message).toMatch(/empty name after '\.'/);
    expect(syntaxError('${body..x}').offset).toBe(7);
  });

  it('bad index, at the index text', () => {
    expect(syntaxError('${topic[x]}').offset).toBe(8);
    expect(syntaxError('${topic[-1]}').message).toMatch(/bad index '-1'/);
    expect(syntaxError('${topic[1.5]}').message).toMatch(/bad index/);
    expect(syntaxError('${topic[99999999999999999999]}').message).toMatch(/bad index/);
  });

  it('empty or unclosed brackets, at the [', () => {
    expect(syntaxError('${topic[]}').offset).toBe(7);
    expect(syntaxError('${topic[]}').message).toMatch(/empty index/);
    expect(syntaxError("${body['a'}").offset).toBe(6);
    expect(syntaxError("${body['a'}").message).toMatch(/unclosed '\['/);
  });

  it('unterminated quoted key, at the quote', () => {
    const error = syntaxError("${body['abc}");
    expect(error.offset).toBe(7);
    expect(error.message).toMatch(/unterminated quoted key/);
  });

  it('a path that does not start with a name', () => {
    expect(syntaxError('${.body}').message).toMatch(/expected a root name/);
    expect(syntaxError('${1}').offset).toBe(2);
  });

  it('unexpected characters after a path', () => {
    const error = syntaxError('${body.a b}');
    expect(error.offset).toBe(9);
    expect(error.message).toMatch(/unexpected 'b'/);
    expect(syntaxError('${body.a+1}').offset).toBe(8);
  });

  it('carries the source and is an Error', () => {
    const error = syntaxError('${nope}');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TemplateSyntaxError');
    expect(error.source).toBe('${nope}');
  });
});
