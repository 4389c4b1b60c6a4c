import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "../app.js";
import { missingGitHubAppSettings, missingSettingsHelp } from "./credentials.js";

/** `npm start`: the Probot server on port 3000 with the embedded local defaults. */
async function start(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const missing = missingGitHubAppSettings(process.env);
  if (missing.length > 0) {
    console.error(missingSettingsHelp(missing));
    process.exitCode = 1;
    return;
  }
  await run(createApp());
}

await start();
