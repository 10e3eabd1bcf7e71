// ESLint (flat config): the recommended rules plus what this code base already follows, for the
// JavaScript of web/, tests/, bench/, models/ and scripts/. `npm run lint` runs it. (cmake/*.js are
// Emscripten --pre-js/--post-js fragments in the generated loader's scope, not modules: left out.)
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['web/dist/**', 'build*/**', 'cmake/**', 'models/cache/**', 'models/human/**', 'models/nsfwjs/**', 'models/generated/**', 'docs/api/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      // web/ runs in pages, workers and Node (webcnn.js checks where it is); tests and tools in Node.
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
    rules: {
      // `catch {}` and `(_unused)` are the house style for deliberately ignored values.
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
];
