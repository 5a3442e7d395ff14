import tseslint from 'typescript-eslint';

/**
 * Besides the usual checks, this enforces the one-way dependency rule of the house:
 * ui → peer / workers → crdt. `crdt` imports none of the others; `peer` and `workers` do not
 * import `ui`.
 */
const layer = (from, forbidden) => ({
  files: [`src/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((f) => ({ group: [`**/${f}/*`, `../${f}/*`], message: `src/${from} must not import src/${f} (dependencies point ui → peer/workers → crdt).` })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**', 'test-results/**', 'playwright-report/**', 'patches/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' } },
  layer('crdt', ['peer', 'ui', 'workers']),
  layer('peer', ['ui']),
  layer('workers', ['ui', 'peer']),
);
