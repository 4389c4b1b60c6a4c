import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli.js";
import { validateManifests } from "../../src/manifest/index.js";
import { syncRepository } from "../../src/reconcile/sync.js";
import { createDynamoStore, ensureTable } from "../../src/store/dynamo.js";
import { BOT_TOKEN, startWorld, type World } from "../helpers/world.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

function captureIo(env: CliIo["env"] = {}): CliIo & { out: () => string; err: () => string } {
  let stdout = "";
  let stderr = "";
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: repoRoot,
    env,
    out: () => stdout,
    err: () => stderr,
  };
}

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

describe("pigello-portal plan", () => {
  it("plans the repository's manifests against an in-process emulator when no Portal is configured", async () => {
    const io = captureIo();
    expect(await main(["plan"], io)).toBe(0);
    expect(io.out()).toContain("Plan against an empty in-process Portal emulator");
    expect(io.out()).toContain("example-invoices: to create");
    expect(io.out()).toContain('+ application "Example Invoices" (private, draft)');
    expect(io.out()).toMatch(/1 application: 1 to create\.\n/);
  });

  it("plans against the Portal at PIGELLO_PORTAL_URL and, with --repo, matches what the bot already manages", async () => {
    const tableName = "cli-plan";
    await ensureTable(world.dynamo.client, tableName);
    const store = createDynamoStore({ client: world.dynamo.client, tableName });
    const path = ".pigello/apps/example-invoices.yml";
    const { manifests } = validateManifests([{ path, content: readFileSync(new URL(`../../${path}`, import.meta.url)) }]);
    await syncRepository(
      { portal: world.portal, store },
      { repo: { owner: "acme", repo: "bot" }, branch: "main", commit: "abc1234", actor: "octocat", manifests, prune: false },
    );
    const env = { PIGELLO_PORTAL_URL: world.portalUrl, PIGELLO_PORTAL_TOKEN: BOT_TOKEN, DYNAMODB_ENDPOINT: world.dynamo.endpoint, DYNAMODB_TABLE: tableName };

    const managed = captureIo(env);
    expect(await main(["plan", "--repo", "acme/bot"], managed)).toBe(0);
    expect(managed.out()).toContain(`Plan against the Portal at ${world.portalUrl}`);
    expect(managed.out()).toMatch(/example-invoices: unchanged \([0-9a-f-]{36}, draft\)/);

    const unmatched = captureIo(env);
    expect(await main(["plan"], unmatched)).toBe(0);
    expect(unmatched.out()).toContain("example-invoices: to create");
    expect(unmatched.out()).toContain("matched only through `portalApplicationId`");
  });

  it("exits 1 when the Portal would refuse a manifest, naming the field", async () => {
    const io = captureIo({ PIGELLO_PORTAL_URL: world.portalUrl, PIGELLO_PORTAL_TOKEN: BOT_TOKEN });
    // The fixture adopts an application id this Portal does not have.
    expect(await main(["plan", "test/fixtures/manifests/valid/complete-app.yml"], io)).toBe(1);
    expect(io.out()).toMatch(/✖ test\/fixtures\/manifests\/valid\/complete-app.yml \/portalApplicationId: The Portal has no application/);
  });

  it("refuses to plan invalid manifests and shows their problems", async () => {
    const io = captureIo();
    expect(await main(["plan", "test/fixtures/manifests/invalid/typos.yml"], io)).toBe(1);
    expect(io.err()).toContain("fix the manifest errors above before planning");
  });

  it.each([
    [["plan", "--repo", "not-a-repo"], "`--repo` needs a repository as owner/name."],
    [["validate", "--repo", "a/b"], "`--repo` is only accepted by `plan`."],
  ])("rejects %j as a usage error", async (argv, message) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
  });
});
