/**
 * `trigger-broker/matcher` resolves through package.json `exports` to files in `dist/`: this checks
 * that the map names exactly the files `npm run build` emits (tsconfig.build.json for the
 * JavaScript, tsconfig.matcher.json for the declarations), computed from those configurations,
 * so a moved module or a changed outDir cannot leave the export pointing at nothing.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

interface TsConfig {
  extends?: string;
  files?: string[];
  include?: string[];
  compilerOptions?: {
    outDir?: string;
    rootDir?: string;
    declaration?: boolean;
    emitDeclarationOnly?: boolean;
  };
}

/** A tsconfig with the compiler options of the configurations it extends merged in. */
function tsconfig(file: string): TsConfig {
  const own = json(file) as TsConfig;
  if (!own.extends) return own;
  const base = tsconfig(own.extends.replace(/^\.\//, ''));
  return { ...base, ...own, compilerOptions: { ...base.compilerOptions, ...own.compilerOptions } };
}

/** Where tsc writes what it makes of `source` (a path from the repository root), as `./...`. */
function emitted(config: TsConfig, source: string, extension: '.js' | '.d.ts'): string {
  const { outDir = '.', rootDir = '.' } = config.compilerOptions ?? {};
  const out = join(outDir, relative(rootDir, source)).replace(/\.ts$/, extension);
  return `./${out}`;
}

const pkg = json('package.json') as {
  name: string;
  exports: Record<string, { types: string; import: string }>;
  files: string[];
  scripts: Record<string, string>;
};
const SOURCE = 'broker/matcher/index.ts';

describe('package.json exports', () => {
  it('maps trigger-broker/matcher to the build of broker/matcher/index.ts', () => {
    const build = tsconfig('tsconfig.build.json');
    expect(build.include?.some((dir) => SOURCE.startsWith(`${dir}/`))).toBe(true);
    expect(pkg.exports['./matcher']?.import).toBe(emitted(build, SOURCE, '.js'));
  });

  it('maps its types to the declarations tsconfig.matcher.json emits for the same module', () => {
    const types = tsconfig('tsconfig.matcher.json');
    expect(types.files).toEqual([SOURCE]);
    expect(types.compilerOptions?.declaration).toBe(true);
    expect(pkg.exports['./matcher']?.types).toBe(emitted(types, SOURCE, '.d.ts'));
    // Conditions are tried in order: TypeScript wants `types` before `import`.
    expect(Object.keys(pkg.exports['./matcher'] ?? {})).toEqual(['types', 'import']);
  });

  it('is built by `npm run build` and published', () => {
    expect(pkg.scripts['build']).toContain('tsc -p tsconfig.build.json');
    expect(pkg.scripts['build']).toContain('tsc -p tsconfig.matcher.json');
    const outDir = tsconfig('tsconfig.build.json').compilerOptions?.outDir;
    expect(pkg.files).toContain(outDir);
    // The matcher reads the published schemas at run time (filter shapes).
    expect(pkg.files).toContain('schemas');
  });
});
