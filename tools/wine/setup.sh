#!/usr/bin/env bash
# Builds, or reuses, the Wine 10 environment that runs Deno for Windows on Linux.
#
#   tools/wine/setup.sh            make sure everything is there (idempotent)
#   tools/wine/setup.sh --print    ... then print the variables the runner needs
#
# Everything lives in a cache folder outside the checkout:
#   $WINIPC_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/winipc)
#     root/                 Debian 13 (trixie) chroot with wine64 10
#     root/opt/winipc/deno.exe      Deno for Windows (npm @deno/win32-x64)
#     root/opt/winipc/mingw/        nothing yet; native peers are built on the host
# A second run finds the stamp files and returns in well under a second.
# Needs root (debootstrap, chroot and bind mounts). Only Debian's and npm's
# registries are contacted.
set -euo pipefail

DENO_WIN_VERSION="${WINIPC_DENO_WIN_VERSION:-2.9.5}"
CACHE="${WINIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/winipc}"
ROOT="$CACHE/root"
LOG="$CACHE/setup.log"

say() { printf 'winipc wine: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(uname -s)" = Linux ] || die "the Wine harness is for Linux; on Windows run the tests natively"
[ "$(uname -m)" = x86_64 ] || die "the Wine harness needs an x86_64 host (found $(uname -m))"
[ "$(id -u)" = 0 ] || die "the Wine harness needs root (debootstrap, chroot, bind mounts); run as root"

mkdir -p "$CACHE"
exec 9>"$CACHE/setup.lock"
flock 9

need_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (host)"
    if [ ! -f "$CACHE/.apt-updated" ] || [ -n "$(find "$CACHE/.apt-updated" -mmin +1440 2>/dev/null)" ]; then
      apt-get update -qq >>"$LOG" 2>&1 || die "apt-get update failed (see $LOG)"
      touch "$CACHE/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$LOG" 2>&1 \
      || die "apt-get install ${missing[*]} failed (see $LOG)"
  fi
}

# 1. Host tools: debootstrap for the root, mingw-w64 for native test peers.
need_apt debootstrap gcc-mingw-w64-x86-64

# 2. The Debian 13 root.
if [ ! -f "$ROOT/.winipc-debootstrap" ]; then
  say "creating the Debian 13 root in $ROOT (about a minute, once)"
  rm -rf "$ROOT"
  debootstrap --variant=minbase trixie "$ROOT" >>"$LOG" 2>&1 || die "debootstrap failed (see $LOG)"
  touch "$ROOT/.winipc-debootstrap"
fi

mount_binds() {
  mountpoint -q "$ROOT/proc" || mount --bind /proc "$ROOT/proc"
  mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
}
mount_binds
cp -f /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

# 3. Wine 10 inside it.
if [ ! -f "$ROOT/.winipc-wine" ]; then
  say "installing wine64 in the root (about a minute, once)"
  chroot "$ROOT" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 ca-certificates locales' \
    >>"$LOG" 2>&1 || die "installing wine64 in the root failed (see $LOG)"
  touch "$ROOT/.winipc-wine"
fi

# 4. Deno for Windows.
DENO_EXE="$ROOT/opt/winipc/deno-$DENO_WIN_VERSION.exe"
if [ ! -f "$DENO_EXE" ]; then
  say "fetching Deno for Windows $DENO_WIN_VERSION from npm (@deno/win32-x64)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@deno/win32-x64@$DENO_WIN_VERSION" >>"$LOG" 2>&1) \
    || { rm -rf "$tmp"; die "npm pack @deno/win32-x64@$DENO_WIN_VERSION failed (see $LOG)"; }
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  mkdir -p "$ROOT/opt/winipc"
  cp "$tmp/package/deno.exe" "$DENO_EXE.part" && mv "$DENO_EXE.part" "$DENO_EXE"
  rm -rf "$tmp"
fi

# 5. The Wine prefix (about 20 s the first time).
if [ ! -f "$ROOT/.winipc-prefix" ]; then
  say "initialising the Wine prefix (about 20 s, once)"
  chroot "$ROOT" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 WINEPREFIX=/root/wineprefix \
    WINEDEBUG=-all XDG_RUNTIME_DIR=/tmp sh -c '/usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1; /usr/lib/wine/wineserver -w' \
    >>"$LOG" 2>&1 || die "wineboot failed (see $LOG)"
  touch "$ROOT/.winipc-prefix"
fi

# 6. A desktop without X: user32 windows (WM_COPYDATA, the clipboard) need the null graphics
# driver, HKCU\Software\Wine\Drivers Graphics=null. Checked on every run, also for a prefix made
# before this step existed; it takes effect only for a wineserver started after it is written,
# so a running wineserver is stopped once (the next program starts a fresh one).
graphics_null() {
  awk '/^\[Software\\\\Wine\\\\Drivers\]/ { s = 1; next } /^\[/ { s = 0 } s && /^"Graphics"="null"/ { f = 1 } END { exit !f }' \
    "$ROOT/root/wineprefix/user.reg" 2>/dev/null
}
if ! graphics_null; then
  say "setting the null graphics driver in the Wine prefix (once)"
  wenv=(HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 WINEPREFIX=/root/wineprefix WINEDEBUG=-all XDG_RUNTIME_DIR=/tmp)
  chroot "$ROOT" env -i "${wenv[@]}" /usr/lib/wine/wine64 reg add 'HKCU\Software\Wine\Drivers' \
    /v Graphics /d null /f >>"$LOG" 2>&1 || die "writing Graphics=null to the prefix failed (see $LOG)"
  # Stopping the wineserver saves the registry to user.reg and drops the old desktop.
  chroot "$ROOT" env -i "${wenv[@]}" /usr/lib/wine/wineserver -k >>"$LOG" 2>&1 || true
  chroot "$ROOT" env -i "${wenv[@]}" /usr/lib/wine/wineserver -w >>"$LOG" 2>&1 || true
  graphics_null || die "Graphics=null is not in $ROOT/root/wineprefix/user.reg after writing it (see $LOG)"
fi

if [ "${1:-}" = --print ]; then
  printf 'WINIPC_ROOT=%s\nWINIPC_DENO_EXE=%s\n' "$ROOT" "/opt/winipc/deno-$DENO_WIN_VERSION.exe"
fi
