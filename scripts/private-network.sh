#!/bin/sh
# Runs a command (the test runner) in a private network namespace with only loopback, so that the tests that need the
# plugin's default callback ports 8000/18000 own them whatever else runs on the machine (another login, a dev server,
# a second test run). As root: `unshare -n`. Otherwise an unprivileged user namespace (`unshare -rn`) where the kernel
# allows it. Where neither works, the command runs as is, with a warning; test/rig/default-ports.ts then stops the
# run with a clear line if a port it needs is taken.
set -eu
in_namespace='ip link set lo up && exec "$@"'
if [ "${TOGETHER_LOGIN_PRIVATE_NETWORK:-}" = "1" ]; then
  exec "$@" # already inside one (a nested npm test)
fi
export TOGETHER_LOGIN_PRIVATE_NETWORK=1
if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    exec unshare -n sh -c "$in_namespace" sh "$@"
  fi
  if unshare -rn true 2>/dev/null; then
    exec unshare -rn sh -c "$in_namespace" sh "$@"
  fi
fi
unset TOGETHER_LOGIN_PRIVATE_NETWORK
echo "*** warning: no private network namespace here (needs unshare and ip, and root or user namespaces); the tests use the machine's own ports 8000/18000 ***" >&2
exec "$@"
