// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** The protocol core and the socket layers must stay framework-free: no Nest, no RxJS. */
const frameworkFreeImports = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['@nestjs/*'],
          message: 'protocol/, media/, server/ and client/ must not depend on Nest.',
        },
        {
          group: ['rxjs', 'rxjs/*'],
          message: 'protocol/, media/, server/ and client/ must not depend on RxJS.',
        },
        { group: ['**/nest', '**/nest/*'], message: 'The core must not import the Nest layer.' },
      ],
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.bench-work/**', '**/*.js', '**/*.mjs'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: [
      'libs/rtmp/src/protocol/**/*.ts',
      'libs/rtmp/src/server/**/*.ts',
      'libs/rtmp/src/client/**/*.ts',
      'libs/rtmp/src/media/**/*.ts',
    ],
    rules: frameworkFreeImports,
  },
  {
    files: ['libs/rtmp/src/media/**/*.ts'],
    // Test fixtures may build whole requests; media itself may not reach up.
    ignores: ['**/testing/**'],
    rules: {
      // media/ is the floor every role stands on: packets, queues, the keyframe rule.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...frameworkFreeImports['no-restricted-imports'][1].patterns,
            {
              group: ['**/server', '**/server/*', '**/client', '**/client/*'],
              message: 'media/ must not import server/ or client/: they build on it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/rtmp/src/protocol/**/*.ts'],
    // Specs and their fixture loaders may read files; the codec itself may not.
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: {
      // The codec is bytes in, values out: no sockets, no timers, no file system.
      'no-restricted-imports': [
        'error',
        {
          paths: ['net', 'tls', 'fs', 'node:net', 'node:tls', 'node:fs'].map((name) => ({
            name,
            message: 'protocol/ is pure: no sockets or files.',
          })),
          patterns: frameworkFreeImports['no-restricted-imports'][1].patterns,
        },
      ],
    },
  },
);
