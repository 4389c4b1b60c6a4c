import { existsSync } from "node:fs";
import { pino } from "pino";
import { run } from "probot";
import { createApp } from "../app.js";
import { missingGitHubAppSettings, missingSettingsHelp } from "./credentials.js";
import { startEmbeddedDefaults } from "./embedded.js";

/** `npm start`: the Probot server on port 3000 with the embedded local defaults. */
async function start(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const missing = missingGitHubAppSettings(process.env);
  if (missing.length > 0) {
    console.error(missingSettingsHelp(missing));
    process.exitCode = 1;
    return;
  }
  const log = pino({ level: process.env.LOG_LEVEL ?? "info" });
  const embedded = await startEmbeddedDefaults(process.env, log);
  log.info(
    { portal: embedded.portalUrl, portalToken: embedded.portalToken ? "(the emulator's demo token)" : undefined, store: embedded.storeEndpoint ?? "DynamoDB" },
    "local defaults ready",
  );
  const server = await run(createApp(embedded.reconcile));
  const stop = async () => {
    await server.stop();
    await embedded.stop();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await start();
