import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

// Layering (ARCHITECTURE.md): ui -> state -> engine -> {gpu, runtime} -> core. Each entry lists what a
// layer must not import.
const layer = (files, forbidden, message, ignores = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

const GPU_FORBIDDEN = [
  '**/runtime/**',
  '**/engine/**',
  '**/state/**',
  '**/ui/**',
  'react*',
  'onnxruntime-web*',
];
const ENGINE_FORBIDDEN = ['**/state/**', '**/ui/**', 'react*', 'onnxruntime-web*'];
// The float32 graph and the GPU planner are checked by the float64 reference, never built from it: what
// they share with it lives in core/pane and core/onnx. Their tests compare against it, so they may import it.
const ORACLE = '**/core/reference/**';
const NOT_TESTS = ['**/*.test.ts'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-e2e/**',
      'node_modules/**',
      'public/**',
      'test-results/**',
      'playwright-report/**',
      'out/**',
      '.cache/**',
      '.scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  layer(
    ['src/core/**'],
    ['**/runtime/**', '**/gpu/**', '**/engine/**', '**/state/**', '**/ui/**', 'onnxruntime-web*', 'react*'],
    'src/core is pure: no runtime, GPU, engine, state or UI imports',
  ),
  layer(['src/gpu/**'], GPU_FORBIDDEN, 'gpu sits below engine and does not import onnxruntime-web'),
  // A later entry replaces the rule's patterns for its files, so these repeat their layer's.
  layer(
    ['src/gpu/**'],
    [...GPU_FORBIDDEN, ORACLE],
    'gpu sits below engine, does not import onnxruntime-web, and is not built from core/reference',
    NOT_TESTS,
  ),
  layer(
    ['src/runtime/**'],
    ['**/gpu/**', '**/engine/**', '**/state/**', '**/ui/**', 'react*'],
    'runtime sits below engine',
  ),
  layer(['src/engine/**'], ENGINE_FORBIDDEN, 'engine sits below state and ui'),
  layer(
    ['src/engine/cpu-graph/**'],
    [...ENGINE_FORBIDDEN, ORACLE],
    'engine sits below state and ui; the float32 graph is not built from core/reference',
    NOT_TESTS,
  ),
  layer(['src/state/**'], ['**/ui/**', 'onnxruntime-web*'], 'state sits below ui'),
  // Only src/runtime imports onnxruntime-web.
  layer(['src/ui/**', 'src/cli/**'], ['onnxruntime-web*'], 'only src/runtime imports onnxruntime-web'),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly' },
    },
  },
);
