/** Builds the plugin bundle and the rig executables once before any test runs. */
import { accessSync, constants } from 'node:fs';
import { buildPlugin, buildRigExecutables, pluginBin } from './build.js';

export default async function setup(): Promise<void> {
  await buildPlugin();
  await buildRigExecutables();
  // A standalone executable under test (PLUGIN_UNDER_TEST) is built by `npm run release`, not here.
  accessSync(pluginBin, constants.X_OK);
}
