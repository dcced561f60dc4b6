/**
 * Imported first by the demo and the playground (before the rig's provider): oidc-provider prints its warnings
 * ("Unsupported runtime. Use Node.js v22.x" on Node 20, the development adapter, devInteractions) through
 * console.warn when its module loads and starts. They are about running it in production, which these scripts do
 * not; a newcomer read them as errors of the plugin. Everything else still reaches the console.
 */
// On a terminal oidc-provider colours the line: the escape sequence comes first.
const fromProvider = new RegExp(`^(${String.fromCharCode(27)}\\[[\\d;]*m)?oidc-provider (WARNING|NOTICE):`);
for (const method of ['warn', 'info'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && fromProvider.test(args[0])) return;
    original(...args);
  };
}
