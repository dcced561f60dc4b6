/**
 * get-token's input from the exec args and, with provideClusterInfo, the cluster's exec extension
 * (src/flags/cluster-settings.ts): the args win; -v=1 says where each provider setting came from.
 */

import type { GetTokenInput } from '../core/get-token-input.js';
import type { Logger } from '../core/ports.js';
import { mergeClusterSettings, missingClusterSetting } from '../flags/cluster-settings.js';
import { getTokenFlagKinds } from '../flags/get-token-flag-kinds.js';
import { parseGetTokenInput } from '../flags/parse-get-token.js';
import type { ExecInfo } from '../kube/exec-credential.js';
import { kubeHomeDir } from '../platform/home.js';
import { createStderrLogger } from '../platform/logger.js';

export function parseWithClusterSettings(
  argv: readonly string[],
  execInfo: ExecInfo,
  env: Readonly<Record<string, string | undefined>>,
  setVerbosity: (level: number) => void,
): { input: GetTokenInput; logger: Logger } {
  // kubectl's home (platform/home.ts): $HOME on Unix, node:os only without it (loading it costs start-up time).
  const homeDir = kubeHomeDir(process.platform, env);
  const cluster = execInfo.cluster;
  if (!cluster) {
    const input = parseGetTokenInput(argv, { env, homeDir });
    setVerbosity(input.verbosity);
    return { input, logger: createStderrLogger(input.verbosity) };
  }
  return withClusterSettings(argv, cluster, env, homeDir, setVerbosity);
}

/** The same with the cluster's exec extension; a function of its own, which a hit without cluster info never loads. */
function withClusterSettings(
  argv: readonly string[],
  cluster: NonNullable<ExecInfo['cluster']>,
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
  setVerbosity: (level: number) => void,
): { input: GetTokenInput; logger: Logger } {
  const merged = mergeClusterSettings(argv, cluster.config, getTokenFlagKinds);
  const where = cluster.server ? `the cluster ${cluster.server}` : 'the cluster';
  const parsed = parseGetTokenInput(merged.argv, {
    env,
    homeDir,
    missingSetting: (flag, what) => missingClusterSetting(flag, what, cluster.server),
  });
  // The CA is one setting (flags/cluster-settings.ts): either every CA value came from the cluster, or none did.
  // Not some(): the standalone compiles that array builtin on first use (docs/performance.md).
  const caFromCluster =
    merged.origins.get('certificate-authority') === 'cluster' ||
    merged.origins.get('certificate-authority-data') === 'cluster';
  const input = caFromCluster
    ? { ...parsed, certificateAuthoritiesFrom: `${where}'s exec extension` }
    : parsed;
  setVerbosity(input.verbosity);
  const logger = createStderrLogger(input.verbosity);
  for (const [flag, origin] of merged.origins)
    logger.debug(1, `${flag}: from ${origin === 'flags' ? 'the exec args' : `${where}'s exec extension`}`);
  if (merged.overridden.length > 0)
    logger.debug(
      1,
      `not used from ${where}'s exec extension (the exec args give them): ${merged.overridden.join(', ')}`,
    );
  if (merged.ignored.length > 0)
    logger.debug(
      1,
      `ignored in ${where}'s exec extension (not a provider setting of this plugin): ${merged.ignored.join(', ')}`,
    );
  return { input, logger };
}
