#!/usr/bin/env bash
# Builds the publishable package `nestjs-rtmp` and packs it (`npm run build:package`).
#
# The package keeps the repository's relative layout, so the compiled public entry
# (src/index.js, which re-exports ../libs/rtmp/src) resolves inside the tarball as it does here:
#   package.json  README.md  src/index.{js,d.ts}  libs/rtmp/src/**/*.{js,d.ts}
# Compiled JS and declarations only: no specs, no testing helpers, no demo, no source maps.
# The manifest is libs/rtmp/package.json (peer dependencies only). The last line printed is the
# tarball's path: dist/nestjs-rtmp-<version>.tgz.
set -euo pipefail
cd "$(dirname "$0")/.."

stage=dist/package
rm -rf "$stage"
npx tsc -p tsconfig.package.json
cp libs/rtmp/package.json README.md LICENSE "$stage"/
tarball="$(cd "$stage" && npm pack --silent --pack-destination ..)"
echo "$(pwd)/dist/$tarball"
