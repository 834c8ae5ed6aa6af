#!/bin/sh
# Builds the UI into ../dist (checked in, embedded by go:embed). Run after
# changing web/src: npm ci && sh build.sh. CI never builds it.
set -eu
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
rm -f ../dist/app.js ../dist/app.css
node_modules/.bin/esbuild src/main.js --bundle --minify --format=esm --target=es2020 \
  --legal-comments=eof --outfile=../dist/app.js
# The bundled libraries' licences travel with the bundle.
{
  echo "Third-party software bundled in app.js and app.css:"
  for pkg in node_modules/@codemirror/* node_modules/@lezer/* node_modules/@marijn/* node_modules/crelt node_modules/style-mod node_modules/w3c-keyname node_modules/uplot; do
    [ -f "$pkg/package.json" ] || continue
    lic=$(ls "$pkg"/LICENSE* 2>/dev/null | head -1)
    echo
    echo "== ${pkg#node_modules/} $(node -p "require('./$pkg/package.json').version")"
    [ -n "$lic" ] && cat "$lic"
  done
} > ../dist/THIRD_PARTY_NOTICES.txt
ls -l ../dist
