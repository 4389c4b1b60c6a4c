import { createProbot } from "probot";
import { createApp } from "../app.js";
import { createPortalFromEnv } from "../portal/from-env.js";
import { createStoreFromEnv } from "../store/local.js";

/** The Probot instance and app of a Lambda: DynamoDB from DYNAMODB_TABLE, the Portal from PIGELLO_PORTAL_URL. */
export async function appFromEnv() {
  const probot = createProbot();
  const { store } = await createStoreFromEnv(process.env);
  const portal = createPortalFromEnv(process.env, probot.log);
  return { probot, app: createApp({ store, ...(portal ? { portal } : {}) }) };
}
