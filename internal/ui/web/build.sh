#!/bin/sh
# Builds the UI into ../dist (checked in, embedded by go:embed). Run after
# changing web/src: npm ci && sh build.sh. CI never builds it.
set -eu
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
rm -f ../dist/app.js ../dist/app.css
node_modules/.bin/esbuild src/main.js --bundle --minify --format=esm --target=es2020 \
  --legal-comments=eof --outfile=../dist/app.js
ls -l ../dist
