// The Portal adapter's public surface: the one place the rest of the bot imports from.
export {
  MAX_RETRY_AFTER_MS,
  PortalError,
  coreApiHeaders,
  createPortalClient,
  portalClientOptionsFromEnv,
} from "./client.js";
export type { CreateOptions, ListOptions, PortalApi, PortalClientOptions, PortalLogger, RetryPolicy } from "./client.js";
export { paginate, type PageQuery } from "./paginate.js";
export { DEFAULT_RETRY_POLICY, backoffDelayMs, parseRetryAfter } from "./retry.js";
export * from "./types.js";
