import type { Logger } from "probot";
import { createPortalClient, portalClientOptionsFromEnv, type PortalApi } from "./client.js";

/** The Portal client configured by `PIGELLO_PORTAL_URL` and `PIGELLO_PORTAL_TOKEN`, or undefined when no URL is set. */
export function createPortalFromEnv(env: Record<string, string | undefined>, log?: Logger): PortalApi | undefined {
  if (!env.PIGELLO_PORTAL_URL?.trim()) return undefined;
  return createPortalClient({ ...portalClientOptionsFromEnv(env), ...(log ? { logger: log } : {}) });
}
