import { PortalError, type PortalApi } from "../portal/client.js";
import { isDeepStrictEqual } from "node:util";
import type { Application } from "../portal/types.js";
import { waitForLock, type ApplicationRecord, type RepoRef, type StateStore } from "../store/port.js";
import { applyApplicationPlan, type ApplyResult } from "./apply.js";
import { planReconcile, type DesiredApplication, type Plan, type PlanAction } from "./plan.js";

export interface ReconcileDeps {
  portal: PortalApi;
  store: StateStore;
}

export interface PlanRequest {
  repo: RepoRef;
  manifests: DesiredApplication[];
  prune: boolean;
}

/** Reads the actual state (one paged Portal listing, one store query) and plans against it. */
export async function planRepository(deps: ReconcileDeps, request: PlanRequest): Promise<Plan> {
  return (await readAndPlan(deps, request)).plan;
}

async function readAndPlan(deps: ReconcileDeps, request: PlanRequest) {
  const [portal, records] = await Promise.all([deps.portal.listApplications(), deps.store.listApplications(request.repo)]);
  const plan = planReconcile({
    desired: request.manifests,
    portal,
    known: new Map(records.map((record) => [record.slug, record.applicationId])),
    prune: request.prune,
  });
  return { plan, portal, records };
}

export interface SyncRequest extends PlanRequest {
  branch: string;
  commit: string;
  /** Who caused the sync: the pusher or the commenter. */
  actor: string;
  pullRequest?: number;
}

export interface SyncOutcome {
  plan: Plan;
  results: ApplyResult[];
  /** Applications not synced, each with the reason (a lock held elsewhere, a plan problem). */
  refused: string[];
}

export interface SyncOptions {
  lockLeaseMs?: number;
  lockWaitMs?: number;
  now?: () => Date;
}

/**
 * The one sync use case, for a push to the default branch and for `/pigello sync`: plan, then
 * apply each application's actions under its lock, re-planned from fresh Portal state once the
 * lock is held so two syncs never act on the same stale picture.
 */
export async function syncRepository(deps: ReconcileDeps, request: SyncRequest, options: SyncOptions = {}): Promise<SyncOutcome> {
  const now = options.now ?? (() => new Date());
  const { plan, portal, records } = await readAndPlan(deps, request);
  const results: ApplyResult[] = [];
  const refused = plan.problems.map((problem) => `\`${problem.file}\`: ${problem.message}`);
  const holder = { holder: `sync of ${request.commit.slice(0, 7)} by @${request.actor}`, command: "/pigello sync" };

  for (const planned of plan.applications) {
    if (planned.actions.length === 0 && !planned.applicationId) continue;
    if (planned.actions.length === 0) {
      // Nothing to write to the Portal, but the store may lag behind it (an adoption, or a create
      // whose answer was lost): remember the Portal's ids so later steps find them.
      const actual = portal.find((application) => application.id === planned.applicationId);
      const known = records.find((record) => record.slug === planned.slug);
      if (actual) await rememberPortalIds(deps.store, request, planned.slug, actual, known, now);
      continue;
    }
    const lock = await waitForLock(deps.store, request.repo, planned.slug, holder, options.lockLeaseMs ?? 120_000, {
      timeoutMs: options.lockWaitMs ?? 5_000,
      pollMs: 250,
    });
    if (!lock.acquired) {
      refused.push(`**${planned.slug}** was not synced: ${lock.heldBy.holder} holds its lock until ${lock.expiresAt}; it will be picked up by the next sync (${lock.heldBy.command ?? "push again"}).`);
      continue;
    }
    try {
      const applied = await applyUnderLock(deps, request, planned.slug, now);
      if (applied) results.push(applied);
    } finally {
      await lock.release();
    }
  }

  if (refused.length === 0 && results.every((result) => result.outcomes.every((outcome) => outcome.ok))) {
    await deps.store.setLastAppliedCommit(request.repo, request.branch, request.commit);
  }
  return { plan, results, refused };
}

/**
 * Applies one application's fresh plan. When an interrupted create had to be finished with its
 * original body, the application is planned and applied once more so it ends as the manifest says.
 */
async function applyUnderLock(deps: ReconcileDeps, request: SyncRequest, slug: string, now: () => Date): Promise<ApplyResult | undefined> {
  let applied: ApplyResult | undefined;
  for (let pass = 0; pass < 2; pass += 1) {
    const { current, record } = await replanOne(deps, request, slug);
    if (!current || current.actions.length === 0) break;
    const result = await applyApplicationPlan(current, {
      portal: deps.portal,
      repo: request.repo,
      record,
      intents: deps.store,
      now,
      saveRecord: (updated) => deps.store.putApplication({ ...updated, lastAppliedCommit: request.commit }),
      audit: (action: PlanAction, portalId) =>
        deps.store.appendAudit({
          repo: request.repo,
          slug,
          actor: request.actor,
          action: action.type,
          ...(portalId ? { target: portalId } : {}),
          commit: request.commit,
          ...(request.pullRequest ? { pullRequest: request.pullRequest } : {}),
          at: now().toISOString(),
        }),
    });
    applied = applied ? { ...result, outcomes: [...applied.outcomes, ...result.outcomes] } : result;
    if (!result.replayedStaleCreate) break;
  }
  return applied;
}

/** One application's plan from its current Portal state: one store read and one Portal read. */
async function replanOne(deps: ReconcileDeps, request: SyncRequest, slug: string) {
  const desired = request.manifests.filter((candidate) => candidate.manifest.slug === slug);
  const record = await deps.store.getApplication(request.repo, slug);
  const applicationId = desired[0]?.manifest.portalApplicationId ?? record?.applicationId;
  const portal = applicationId ? await deps.portal.getApplication(applicationId).then((found) => [found], ignoreNotFound) : [];
  const plan = planReconcile({
    desired,
    portal,
    known: new Map(record ? [[slug, record.applicationId]] : []),
    prune: request.prune,
  });
  return { current: plan.applications.find((application) => application.slug === slug), record };
}

function ignoreNotFound(error: unknown): [] {
  if (error instanceof PortalError && error.status === 404) return [];
  throw error;
}

/** Rewrites the record when the Portal's ids differ from what the store remembers. */
async function rememberPortalIds(
  store: StateStore,
  request: SyncRequest,
  slug: string,
  actual: Application,
  known: ApplicationRecord | undefined,
  now: () => Date,
) {
  const services = Object.fromEntries(
    actual.services.map((service) => [
      service.key,
      { serviceId: service.id, versions: Object.fromEntries(service.versions.map((version) => [String(version.version), version.id])) },
    ]),
  );
  if (known?.applicationId === actual.id && isDeepStrictEqual(known.services, services)) return;
  await store.putApplication({ repo: request.repo, slug, applicationId: actual.id, services, lastAppliedCommit: request.commit, updatedAt: now().toISOString() });
}
