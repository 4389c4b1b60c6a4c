import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "../app.js";
import { missingGitHubAppSettings, missingSettingsHelp } from "./credentials.js";
import { startEmbeddedDefaults, type EmbeddedDefaults } from "./embedded.js";

/** `npm start`: the Probot server on port 3000 with the embedded local defaults. */
async function start(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const missing = missingGitHubAppSettings(process.env);
  if (missing.length > 0) {
    console.error(missingSettingsHelp(missing));
    process.exitCode = 1;
    return;
  }
  let embedded: EmbeddedDefaults | undefined;
  // Started inside the app function so it logs through Probot's own logger.
  const server = await run(async (app, options) => {
    embedded = await startEmbeddedDefaults(process.env, app.log);
    app.log.info(
      `Portal: ${embedded.portalUrl}${embedded.portalToken ? " (the embedded emulator)" : ""} · store: ${embedded.storeEndpoint ?? "DynamoDB"} (data in data/)`,
    );
    await createApp(embedded.reconcile)(app, options);
  });
  const stop = async () => {
    await server.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await start();
