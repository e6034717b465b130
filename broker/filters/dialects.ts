import type { ExtraDialects } from './compile.js';

/** The optional filter dialects this build supports beyond the six required ones. */
export const EXTRA_DIALECTS: ExtraDialects = {};
