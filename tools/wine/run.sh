#!/usr/bin/env bash
# Runs Deno for Windows under Wine 10 on this checkout.
#
#   tools/wine/run.sh [deno arguments...]        e.g. tools/wine/run.sh test -A tests/
#   tools/wine/run.sh --exe PROGRAM.exe [args]   any Windows program, relative to the checkout
#
# The working directory is the checkout, seen by Windows programs as Z:<mount point>.
# Environment:
#   WINIPC_PIN=1      pin the wineserver and every process of the run to CPU 0
#                     (benchmarks: see README, "Benchmarks")
#   WINIPC_CACHE      where the root and the prefix live (see setup.sh)
#   WINIPC_WINEPREFIX another prefix inside the root (default /root/wineprefix), made on
#                     first use as a copy of the default one: a run with its own prefix
#                     has its own wineserver, desktop and clipboard, so parallel runs
#                     (and a benchmark's wineserver -k) leave each other alone
# Exit status: the program's own, or setup.sh's if the set-up failed (it says why).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=$(cd "$here/../.." && pwd)
# A set-up that fails says why itself (on stderr); nothing runs after it.
vars=$("$here/setup.sh" --print) || {
  status=$?
  echo "winipc wine: the Wine harness is not set up (the error above); nothing was run" >&2
  exit "$status"
}
eval "$vars"
if [ -z "${WINIPC_ROOT:-}" ] || [ -z "${WINIPC_DENO_EXE:-}" ]; then
  echo "winipc wine: setup.sh --print did not say where the harness is; nothing was run" >&2
  exit 1
fi
ROOT=$WINIPC_ROOT

# The checkout is bind-mounted at a path of its own, for this run only.
mnt="/mnt/winipc-$$-$RANDOM"
mkdir -p "$ROOT$mnt"
mount --bind "$checkout" "$ROOT$mnt"
prefix=${WINIPC_WINEPREFIX:-/root/wineprefix}
case "$prefix" in /root/wineprefix*) ;; *) echo "WINIPC_WINEPREFIX must start with /root/wineprefix" >&2; exit 2 ;; esac
# Deno for Windows 2.9.5 under Wine leaves a 97 MB copy of itself,
# node_compat_bin\node.exe.tmp-N, at every start (its rename over the existing
# node.exe fails under Wine): 670 runs filled 61 GB. Remove the ones older than a
# minute (a younger one may still be in use by a parallel run).
compat="$ROOT$prefix/drive_c/users/root/AppData/Local/deno/node_compat_bin"
cleanup() {
  umount -l "$ROOT$mnt" 2>/dev/null || true; rmdir "$ROOT$mnt" 2>/dev/null || true
  find "$compat" -maxdepth 1 -name 'node.exe.tmp-*' -mmin +1 -delete 2>/dev/null || true
}
trap cleanup EXIT

# Deno for Windows fetches npm packages itself: give it the host's CA bundle,
# so that a TLS-inspecting proxy the host trusts is trusted under Wine too.
ca="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
if [ -f "$ca" ]; then
  cmp -s "$ca" "$ROOT/opt/winipc/ca.crt" || cp -f "$ca" "$ROOT/opt/winipc/ca.crt"
  deno_cert=(DENO_CERT='Z:\opt\winipc\ca.crt')
else
  deno_cert=()
fi

pin=()
if [ "${WINIPC_PIN:-0}" = 1 ]; then pin=(taskset -c 0); fi

if [ ! -d "$ROOT$prefix" ]; then
  cp -a --no-preserve=links "$ROOT/root/wineprefix" "$ROOT$prefix.tmp"
  find "$ROOT$prefix.tmp/drive_c/users/root/AppData/Local/deno/node_compat_bin" -name 'node.exe.tmp-*' -delete 2>/dev/null || true
  mv "$ROOT$prefix.tmp" "$ROOT$prefix"
fi

envs=(HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 WINEPREFIX="$prefix" WINEDEBUG=-all
      XDG_RUNTIME_DIR=/tmp NO_COLOR="${NO_COLOR:-}" WINIPC_UNDER_WINE=1 "${deno_cert[@]}")
# Variables the tests and benchmarks read, passed through.
for v in $(compgen -e | grep -E '^(WINIPC_|DENO_)' || true); do
  case "$v" in WINIPC_ROOT|WINIPC_DENO_EXE|WINIPC_CACHE|WINIPC_WINEPREFIX) ;; *) envs+=("$v=${!v}") ;; esac
done

# A wineserver of our own that outlives single programs by a while, so consecutive
# programs do not race its shutdown (Debian's wrapper starts it with -p0).
if [ "${WINIPC_PIN:-0}" = 1 ]; then
  chroot "$ROOT" env -i "${envs[@]}" /usr/lib/wine/wineserver -k 2>/dev/null || true
  chroot "$ROOT" env -i "${envs[@]}" /usr/lib/wine/wineserver -w 2>/dev/null || true
fi
chroot "$ROOT" env -i "${envs[@]}" "${pin[@]}" /usr/lib/wine/wineserver -p30 2>/dev/null || true

if [ "${1:-}" = --exe ]; then
  shift; prog=$1; shift
  cmd=(/usr/lib/wine/wine64 "$prog" "$@")
else
  cmd=(/usr/lib/wine/wine64 "$WINIPC_DENO_EXE" "$@")
fi
set +e
chroot "$ROOT" env -i "${envs[@]}" sh -c 'cd "$0" && exec "$@"' "$mnt" "${pin[@]}" "${cmd[@]}" \
  2> >(grep --line-buffered -v -E 'XDG_RUNTIME_DIR|syswow64\\rundll32\.exe|Ignoring extra certs|^wine: created the configuration directory|^[0-9a-f]{4}:(fixme|err):' >&2)
status=$?
set -e
wait
exit $status
