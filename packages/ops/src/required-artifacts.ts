import type { AgentHost, SessionRef } from '@lightspeed/driver';
import { isLightspeedError } from '@lightspeed/ports';
import { HostEnvironment, parseToolFeatures, sessionFileSpace } from '@lightspeed/tools';
import { Workspaces } from '@lightspeed/vfs';

/**
 * Which required artifacts a finished run left in its session's file space (the workspace mounts
 * and host directory its config grants, as its tools saw them). Read only: the runtime never
 * writes or replaces what the agent produced.
 */
export async function missingArtifacts(host: AgentHost, ref: SessionRef, paths: readonly string[]): Promise<{ present: string[]; missing: string[] }> {
  if (paths.length === 0) return { present: [], missing: [] };
  const state = await host.state(ref);
  const features = parseToolFeatures(state?.config?.features);
  const files = sessionFileSpace(
    new Workspaces(host.workspaces(ref.universe), host.blobs(ref.universe)),
    features.vfs?.workspaceLinks ?? [],
    features.host ? new HostEnvironment(features.host) : undefined,
  );
  const present: string[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    let found = false;
    try {
      found = (await files.stat(path))?.type === 'file';
    } catch (error) {
      // A path outside every mount, or in a workspace that does not exist: not produced.
      if (!isLightspeedError(error)) throw error;
    }
    (found ? present : missing).push(path);
  }
  return { present, missing };
}
