/** Types of scripts/build-info.mjs (plain JavaScript: `npm run build` runs it with node, without tsx). */
export function buildInfo(
  kind: 'standalone' | 'node',
  releaseBaseUrl?: string,
): { defines: Record<string, string> };
export function projectHomepage(pkg: { homepage?: unknown }): string | undefined;
export function readPackageJson(): {
  version: string;
  description: string;
  license: string;
  homepage?: unknown;
};
