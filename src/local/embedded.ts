import { mkdirSync } from "node:fs";
import type { Logger } from "probot";
import { createPortalClient } from "../portal/client.js";
import { createPortalFromEnv } from "../portal/from-env.js";
import type { ReconcileDeps } from "../reconcile/sync.js";
import { createStoreFromEnv } from "../store/local.js";

export const LOCAL_EMULATOR_STATE = "data/portal-emulator.json";

export interface EmbeddedDefaults {
  reconcile: ReconcileDeps;
  portalUrl: string;
  portalToken?: string;
  storeEndpoint?: string;
  stop(): Promise<void>;
}

/**
 * The local defaults `npm start` runs on: dynalite in-process (data in data/dynamodb) through the
 * production DynamoDB adapter, and the Portal emulator in-process (state in data/) unless
 * PIGELLO_PORTAL_URL points at a Portal.
 */
export async function startEmbeddedDefaults(env: NodeJS.ProcessEnv, log: Logger): Promise<EmbeddedDefaults> {
  mkdirSync("data", { recursive: true });
  const store = await createStoreFromEnv(env);
  const configured = createPortalFromEnv(env, log);
  if (configured) {
    return { reconcile: { store: store.store, portal: configured }, portalUrl: env.PIGELLO_PORTAL_URL ?? "", storeEndpoint: store.endpoint, stop: store.stop };
  }
  // The emulator is a local double; it is imported only here, never on Lambda.
  const { createPortalEmulator, DEMO_TOKEN } = await import("../portal/emulator/index.js");
  const emulator = createPortalEmulator({ state: LOCAL_EMULATOR_STATE });
  const portalUrl = await emulator.listen(Number(env.PIGELLO_EMULATOR_PORT ?? 0));
  return {
    reconcile: { store: store.store, portal: createPortalClient({ baseUrl: portalUrl, token: DEMO_TOKEN, logger: log }) },
    portalUrl,
    portalToken: DEMO_TOKEN,
    storeEndpoint: store.endpoint,
    async stop() {
      await emulator.close();
      await store.stop();
    },
  };
}
