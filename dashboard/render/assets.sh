#!/usr/bin/env bash
# Copies the two outside assets the image renderer embeds into the binary,
# so that builds need neither npm nor the Debian font package:
#   resvg/resvg.wasm  from npm @resvg/resvg-wasm (exact version pinned in
#                     dashboard/web/package-lock.json), MPL-2.0
#   fonts/*.ttf       Liberation Sans from Debian fonts-liberation2, SIL OFL 1.1,
#                     with its copyright and licence text beside them
# Run from the repository root after `npm ci` in dashboard/web (make assets).
set -euo pipefail
cd "$(dirname "$0")"
wasm=../web/node_modules/@resvg/resvg-wasm/index_bg.wasm
version=$(node -p "require('../web/node_modules/@resvg/resvg-wasm/package.json').version")
if [[ $version != 2.6.2 ]]; then
  echo "assets: @resvg/resvg-wasm is $version, the Go glue in png.go is written for 2.6.2" >&2
  exit 1
fi
echo "assets: resvg/resvg.wasm from @resvg/resvg-wasm $version"
cp "$wasm" resvg/resvg.wasm
fonts=/usr/share/fonts/truetype/liberation2
if [[ ! -d $fonts ]]; then
  echo "assets: $fonts is missing: apt-get install fonts-liberation2" >&2
  exit 1
fi
echo "assets: fonts/ from Debian fonts-liberation2 $(dpkg-query -W -f='${Version}' fonts-liberation2 2>/dev/null || echo '?')"
for f in Regular Bold Italic BoldItalic; do
  cp "$fonts/LiberationSans-$f.ttf" fonts/
done
cp /usr/share/doc/fonts-liberation2/copyright fonts/LICENSE
sha256sum resvg/resvg.wasm fonts/*.ttf
