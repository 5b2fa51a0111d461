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
#
# Before each apt-get (on this machine, or in the root) it waits for any other package manager
# (apt-get, dpkg, unattended-upgrades) to let go of apt's and dpkg's locks, saying so, for at most
# WINIPC_APT_LOCK_TIMEOUT seconds (default 600); then it stops with its own error.
set -euo pipefail

DENO_WIN_VERSION="${WINIPC_DENO_WIN_VERSION:-2.9.5}"
CACHE="${WINIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/winipc}"
ROOT="$CACHE/root"
LOG="$CACHE/setup.log"
APT_LOCK_TIMEOUT="${WINIPC_APT_LOCK_TIMEOUT:-600}"
# The locks apt and dpkg take, relative to a root.
APT_LOCKS=(var/lib/dpkg/lock-frontend var/lib/dpkg/lock var/lib/apt/lists/lock var/cache/apt/archives/lock)

say() { printf 'winipc wine: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The id of a process holding a lock on file $1, or nothing. apt and dpkg lock with fcntl(),
# which no command-line tool can test without taking the lock, so this reads /proc/locks
# ("1: POSIX  ADVISORY  WRITE 1234 fe:00:5678 0 EOF"; flock(1)'s locks are FLOCK lines), by the
# file's inode: the device there is the superblock's, which stat does not always report (btrfs).
lock_holder() {
  local inode
  inode=$(stat -c %i "$1" 2>/dev/null) || return 0
  awk -v inode="$inode" '$2 != "->" && $6 ~ (":" inode "$") { print $5; exit }' /proc/locks
}

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# Waits until no process holds apt's or dpkg's locks under root $1 ("" for this machine, "$ROOT"
# for the Debian 13 root), for at most APT_LOCK_TIMEOUT seconds, saying what it waits for; dies if
# the time passes. Sets apt_lock_left to the seconds left, for apt-get's own DPkg::Lock::Timeout
# (a lock taken between this look and apt-get's).
wait_for_apt_lock() {
  local root=$1 start lock pid held shown="" waited
  [[ $APT_LOCK_TIMEOUT =~ ^[0-9]+$ ]] \
    || die "WINIPC_APT_LOCK_TIMEOUT must be a whole number of seconds, got \"$APT_LOCK_TIMEOUT\""
  start=$(now_ms)
  while true; do
    held=""
    for lock in "${APT_LOCKS[@]}"; do
      pid=$(lock_holder "$root/$lock")
      if [ -n "$pid" ]; then held="$root/$lock"; break; fi
    done
    waited=$(( $(now_ms) - start ))
    if [ -z "$held" ]; then
      [ -z "$shown" ] || say "the other package manager is done (waited $((waited / 1000)) s); going on"
      apt_lock_left=$(( APT_LOCK_TIMEOUT - waited / 1000 ))
      [ "$apt_lock_left" -ge 1 ] || apt_lock_left=1
      return 0
    fi
    local who="process $pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo "gone"))"
    if [ "$shown" != "$held $pid" ]; then
      say "waiting for another package manager: $held is held by $who;" \
        "waiting up to $APT_LOCK_TIMEOUT s (WINIPC_APT_LOCK_TIMEOUT)"
      shown="$held $pid"
    fi
    if [ "$waited" -ge $((APT_LOCK_TIMEOUT * 1000)) ]; then
      die "another package manager still holds $held ($who) after $APT_LOCK_TIMEOUT s;" \
        "let it finish and run this again, or set WINIPC_APT_LOCK_TIMEOUT (seconds) to wait longer"
    fi
    sleep 0.2
  done
}

need_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (host)"
    if [ ! -f "$CACHE/.apt-updated" ] || [ -n "$(find "$CACHE/.apt-updated" -mmin +1440 2>/dev/null)" ]; then
      wait_for_apt_lock ""
      apt-get -o DPkg::Lock::Timeout="$apt_lock_left" update -qq >>"$LOG" 2>&1 \
        || die "apt-get update failed (see $LOG)"
      touch "$CACHE/.apt-updated"
    fi
    wait_for_apt_lock ""
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$apt_lock_left" install -y -qq \
      "${missing[@]}" >>"$LOG" 2>&1 || die "apt-get install ${missing[*]} failed (see $LOG)"
  fi
}

# Sourced (tools/wine/setup_test.ts tests the functions above): nothing more.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

[ "$(uname -s)" = Linux ] || die "the Wine harness is for Linux; on Windows run the tests natively"
[ "$(uname -m)" = x86_64 ] || die "the Wine harness needs an x86_64 host (found $(uname -m))"
[ "$(id -u)" = 0 ] || die "the Wine harness needs root (debootstrap, chroot, bind mounts); run as root"

mkdir -p "$CACHE"
exec 9>"$CACHE/setup.lock"
if ! flock -n 9; then
  say "waiting for another set-up of $CACHE to finish (it holds $CACHE/setup.lock)"
  flock 9
fi

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
  wait_for_apt_lock "$ROOT"
  chroot "$ROOT" sh -c 'apt-get -o DPkg::Lock::Timeout="$0" update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$0" install -y -qq --no-install-recommends wine64 ca-certificates locales' \
    "$apt_lock_left" >>"$LOG" 2>&1 || die "installing wine64 in the root failed (see $LOG)"
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
