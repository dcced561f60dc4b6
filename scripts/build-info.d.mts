/** Types of scripts/build-info.mjs (plain JavaScript: `npm run build` runs it with node, without tsx). */
export function buildInfo(
  kind: 'standalone' | 'node',
  releaseBaseUrl?: string,
): { defines: Record<string, string> };
