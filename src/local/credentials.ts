/** What `npm start` needs from the environment to act as a GitHub App. */
export function missingGitHubAppSettings(env: NodeJS.ProcessEnv): string[] {
  const missing: string[] = [];
  if (!env.APP_ID?.trim()) missing.push("APP_ID");
  if (!env.PRIVATE_KEY?.trim() && !env.PRIVATE_KEY_PATH?.trim()) missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH");
  if (!env.WEBHOOK_SECRET?.trim()) missing.push("WEBHOOK_SECRET");
  return missing;
}

export function missingSettingsHelp(missing: string[]): string {
  return [
    "pigello-portal-bot cannot start as a GitHub App yet.",
    `Missing: ${missing.join(", ")}.`,
    "",
    "To run it against GitHub:",
    "  1. Register a GitHub App with the permissions and events in app.yml",
    "     (GitHub → Settings → Developer settings → GitHub Apps → New GitHub App).",
    "  2. cp .env.example .env, then fill in APP_ID, WEBHOOK_SECRET and PRIVATE_KEY_PATH",
    "     (the .pem file downloaded from the app's page).",
    "  3. Point the app's webhook URL at this machine, e.g. through a webhook proxy set as",
    "     WEBHOOK_PROXY_URL, and run `npm start` again: it listens on http://localhost:3000/api/github/webhooks.",
    "",
    "Without GitHub you can already:",
    "  npx pigello-portal validate        check the manifests in .pigello/apps/",
    "  npx pigello-portal plan            see what a sync would do in the Portal (an emulator by default)",
    "  npm run portal:emulator            run the Pigello Portal emulator",
  ].join("\n");
}
