import type { Logger } from "probot";
import { createPortalClient, type PortalApi } from "./client.js";

/** The Portal client configured by `PIGELLO_PORTAL_URL` and `PIGELLO_PORTAL_TOKEN`, or undefined when unset. */
export function createPortalFromEnv(env: NodeJS.ProcessEnv, log?: Logger): PortalApi | undefined {
  const baseUrl = env.PIGELLO_PORTAL_URL?.trim();
  if (!baseUrl) return undefined;
  const token = env.PIGELLO_PORTAL_TOKEN?.trim();
  if (!token) throw new Error("PIGELLO_PORTAL_URL is set but PIGELLO_PORTAL_TOKEN is not: set the Developer Portal token the bot acts with.");
  return createPortalClient({ baseUrl, token, ...(log ? { logger: log } : {}) });
}
