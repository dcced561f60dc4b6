#!/bin/sh
# The integration and e2e tests against the standalone executable instead of the Node bundle, as a user gets it:
# the linux_amd64 one taken out of its release zip (build it first: npm run release [-- --only=linux_amd64]).
# Extra arguments go to vitest. test/rig/build.ts reads PLUGIN_UNDER_TEST.
set -eu
cd "$(dirname "$0")/.."
zip=release/kubectl-together_login_linux_amd64.zip
[ -f "$zip" ] || { echo "error: $zip is missing: run npm run release first" >&2; exit 1; }
rm -rf .test-out/standalone
mkdir -p .test-out/standalone
unzip -q "$zip" -d .test-out/standalone
export PLUGIN_UNDER_TEST=.test-out/standalone/kubectl-together_login
exec sh scripts/private-network.sh npx vitest run --project integration "$@"
