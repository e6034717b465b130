import { describe, expect, it } from 'vitest';
import { AffixTrie } from '../../../broker/router/prefix-trie.js';
import { Random } from './generators.js';
import { IdList } from './helpers.js';

/** A trie holding each key under its position in `keys`. */
function trieOf(fromEnd: boolean, keys: readonly string[]): { trie: AffixTrie; keys: readonly string[] } {
  const trie = new AffixTrie(fromEnd);
  for (const [id, key] of keys.entries()) trie.add(key, id);
  return { trie, keys };
}

/** The keys a walk over `value` finds, sorted. */
function found({ trie, keys }: ReturnType<typeof trieOf>, value: string): string[] {
  const sink = new IdList();
  trie.walk(value, sink);
  return sink.ids.map((id) => keys[id]!).sort();
}

describe('AffixTrie for prefixes', () => {
  const trie = trieOf(false, ['com.', 'com.example.', 'com.example.a', 'com.ex', 'org.', 'c']);

  it('visits every stored key the value starts with, and no other', () => {
    expect(found(trie, 'com.example.abc')).toEqual(['c', 'com.', 'com.ex', 'com.example.', 'com.example.a']);
    expect(found(trie, 'com.exa')).toEqual(['c', 'com.', 'com.ex']);
    expect(found(trie, 'cot')).toEqual(['c']);
    expect(found(trie, 'org')).toEqual([]);
    expect(found(trie, '')).toEqual([]);
  });

  it('rejects a value that diverges inside an edge, at any position of it', () => {
    // 'com.example.' is one edge below 'com.ex'; a difference in its middle must stop the walk.
    expect(found(trie, 'com.exbmple.a')).toEqual(['c', 'com.', 'com.ex']);
    expect(found(trie, 'com.examplX.a')).toEqual(['c', 'com.', 'com.ex']);
  });

  it('keeps items stored under the same key together, in insertion order', () => {
    const shared = new AffixTrie(false);
    shared.add('ab', 1);
    shared.add('a', 2);
    shared.add('ab', 3);
    const sink = new IdList();
    shared.walk('abc', sink);
    expect(sink.ids).toEqual([2, 1, 3]);
    expect(shared.size).toBe(2);
  });

  it('takes keys added after a walk into the next walk', () => {
    const growing = new AffixTrie(false);
    growing.add('com.', 0);
    const first = new IdList();
    growing.walk('com.example', first);
    expect(first.ids).toEqual([0]);
    growing.add('com.example', 1);
    growing.add('co', 2);
    const second = new IdList();
    growing.walk('com.example', second);
    expect(second.ids).toEqual([2, 0, 1]);
  });

  it('stores the empty key at the root: every value, even empty, starts with it', () => {
    const withEmpty = trieOf(false, ['', 'a']);
    expect(found(withEmpty, '')).toEqual(['']);
    expect(found(withEmpty, 'ab')).toEqual(['', 'a']);
  });

  it('compares UTF-16 code units, like startsWith, even inside a surrogate pair', () => {
    const emoji = '😀';
    const halves = trieOf(false, [emoji.slice(0, 1), emoji, 'é', 'e']);
    expect(found(halves, `${emoji}x`)).toEqual([emoji.slice(0, 1), emoji].sort());
    expect(found(halves, 'e\u0301')).toEqual(['e']); // no normalisation: e + combining accent is not é
  });
});

describe('AffixTrie for suffixes', () => {
  const trie = trieOf(true, ['.created', 'order.created', 'd', 'x.created', '😀']);

  it('visits every stored key the value ends with, and no other', () => {
    expect(found(trie, 'com.acme.order.created')).toEqual(['.created', 'd', 'order.created']);
    expect(found(trie, 'created')).toEqual(['d']);
    expect(found(trie, 'a😀')).toEqual(['😀']);
    expect(found(trie, '😀a')).toEqual([]);
  });
});

describe('AffixTrie against startsWith/endsWith on random keys', () => {
  // Few symbols: deep tries with long shared edges. Many symbols: nodes with more children than a
  // scan handles, close together (digits, letters) or far apart (CJK, astral, U+FFFF).
  const alphabets = {
    narrow: ['a', 'b', 'ab', '.', '😀', 'é'],
    wide: [...'abcdefghijklmnopqrstuvwxyz0123456789', '中', '文', '😀', '\uffff', '\u0000'],
  };
  const word = (random: Random, alphabet: readonly string[], max: number) => {
    let text = '';
    const parts = random.int(max + 1);
    for (let i = 0; i < parts; i++) text += random.pick(alphabet);
    // Sometimes cut inside a surrogate pair.
    return random.chance(0.1) ? text.slice(0, Math.max(0, text.length - 1)) : text;
  };

  for (const [name, alphabet] of Object.entries(alphabets)) {
    for (const fromEnd of [false, true]) {
      it(`agrees with ${fromEnd ? 'endsWith' : 'startsWith'} on every value (${name} alphabet)`, () => {
        const random = new Random(fromEnd ? 2 : 1);
        for (let round = 0; round < 300; round++) {
          const keyCount = 1 + random.int(name === 'wide' ? 60 : 12);
          const keys = Array.from({ length: keyCount }, () =>
            word(random, alphabet, name === 'wide' ? 3 : 4),
          );
          const trie = trieOf(fromEnd, keys);
          for (let probe = 0; probe < 20; probe++) {
            const value = word(random, alphabet, 6);
            const expected = keys.filter((key) => (fromEnd ? value.endsWith(key) : value.startsWith(key)));
            expect(found(trie, value), `keys ${JSON.stringify(keys)} value ${JSON.stringify(value)}`).toEqual(
              [...expected].sort(),
            );
          }
        }
      });
    }
  }
});
