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
# Exit status: the program's own.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=$(cd "$here/../.." && pwd)
eval "$("$here/setup.sh" --print)"
ROOT=$WINIPC_ROOT

# The checkout is bind-mounted at a path of its own, for this run only.
mnt="/mnt/winipc-$$-$RANDOM"
mkdir -p "$ROOT$mnt"
mount --bind "$checkout" "$ROOT$mnt"
cleanup() { umount -l "$ROOT$mnt" 2>/dev/null || true; rmdir "$ROOT$mnt" 2>/dev/null || true; }
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

envs=(HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 WINEPREFIX=/root/wineprefix WINEDEBUG=-all
      XDG_RUNTIME_DIR=/tmp NO_COLOR="${NO_COLOR:-}" WINIPC_UNDER_WINE=1 "${deno_cert[@]}")
# Variables the tests and benchmarks read, passed through.
for v in $(compgen -e | grep -E '^(WINIPC_|DENO_)' || true); do
  case "$v" in WINIPC_ROOT|WINIPC_DENO_EXE|WINIPC_CACHE) ;; *) envs+=("$v=${!v}") ;; esac
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
