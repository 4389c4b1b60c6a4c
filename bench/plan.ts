// Planning 200 applications that are already in sync: Portal requests grow with pages, not applications.
import { randomUUID } from "node:crypto";
import { validateManifests } from "../src/manifest/index.js";
import { createPortalClient } from "../src/portal/client.js";
import { createPortalEmulator } from "../src/portal/emulator/index.js";
import { planReconcile } from "../src/reconcile/plan.js";
import { planRepository, syncRepository } from "../src/reconcile/sync.js";
import { createDynamoStore, ensureTable } from "../src/store/dynamo.js";
import { startLocalDynamo } from "../src/store/local.js";
import { realisticManifest } from "./validate.js";

export interface PlanBench {
  applications: number;
  portalRequests: number;
  /** CPU time of the pure planning step alone. */
  planCpuMs: number;
  /** Wall time of a whole plan: Portal pages over HTTP (emulator in this process), store query, planning. */
  planWallMs: number;
  actions: number;
}

export async function benchPlan(count = 200): Promise<PlanBench> {
  const emulator = createPortalEmulator({ accounts: [{ name: "bench", tokens: ["bench-token"] }] });
  const url = await emulator.listen(0);
  const dynamo = await startLocalDynamo();
  try {
    const tableName = `bench-${randomUUID()}`;
    await ensureTable(dynamo.client, tableName);
    const deps = { portal: createPortalClient({ baseUrl: url, token: "bench-token" }), store: createDynamoStore({ client: dynamo.client, tableName }) };
    const repo = { owner: "bench", repo: "apps" };
    const { manifests, problems } = validateManifests(Array.from({ length: count }, (_, index) => realisticManifest(index)));
    if (problems.some((problem) => problem.severity === "error")) throw new Error(`bench manifests are invalid: ${problems[0]?.message}`);
    await syncRepository(deps, { repo, branch: "main", commit: "bench", actor: "bench", manifests, prune: false });

    const requestsBefore = emulator.control.requests().length;
    const wallStarted = performance.now();
    const plan = await planRepository(deps, { repo, manifests, prune: false });
    const planWallMs = performance.now() - wallStarted;
    const portalRequests = emulator.control.requests().length - requestsBefore;

    const portal = await deps.portal.listApplications();
    const records = await deps.store.listApplications(repo);
    const known = new Map(records.map((record) => [record.slug, record.applicationId]));
    const cpuStarted = process.cpuUsage();
    planReconcile({ desired: manifests, portal, known, prune: false });
    const cpu = process.cpuUsage(cpuStarted);

    return {
      applications: count,
      portalRequests,
      planCpuMs: (cpu.user + cpu.system) / 1000,
      planWallMs,
      actions: plan.applications.reduce((sum, application) => sum + application.actions.length, 0),
    };
  } finally {
    await emulator.close();
    await dynamo.stop();
  }
}
