/** Builds the plugin bundle and the rig executables once before any test runs. */
import { buildPlugin, buildRigExecutables } from './build.js';

export default async function setup(): Promise<void> {
  await buildPlugin();
  await buildRigExecutables();
}
