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

/** The framework-free rule, plus: files of this layer must not import the `layers` named. */
function layerImports(message, layers) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...frameworkFreeImports['no-restricted-imports'][1].patterns,
          { group: layers.flatMap((layer) => [`**/${layer}`, `**/${layer}/*`]), message },
        ],
      },
    ],
  };
}

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
    files: ['libs/rtmp/src/common/**/*.ts'],
    rules: layerImports('common/ holds what every layer uses: it imports only protocol/.', [
      'server',
      'client',
      'relay',
      'media',
    ]),
  },
  {
    files: ['libs/rtmp/src/connection/**/*.ts'],
    rules: layerImports('connection/ is the core both roles share: it imports only protocol/.', [
      'server',
      'client',
      'relay',
      'media',
    ]),
  },
  {
    files: ['libs/rtmp/src/client/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: layerImports('client/ is a peer of the server: it must not import server/ or relay/.', [
      'server',
      'relay',
    ]),
  },
  {
    files: ['libs/rtmp/src/relay/**/*.ts'],
    // Specs run relays against a real RtmpServer.
    ignores: ['**/*.spec.ts'],
    rules: layerImports('relay/ builds on client/ and media/, never on server/ internals.', [
      'server',
    ]),
  },
  {
    files: ['libs/rtmp/src/media/**/*.ts'],
    // Test fixtures may build whole requests; media itself may not reach up.
    ignores: ['**/testing/**'],
    // media/ is the floor every role stands on: packets, queues, the keyframe rule.
    rules: layerImports('media/ must not import server/, client/ or relay/: they build on it.', [
      'server',
      'client',
      'relay',
    ]),
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
