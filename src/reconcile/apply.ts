import { createHash } from "node:crypto";
import type { ApplicationRecord, RepoRef } from "../store/port.js";
import { PortalError, type PortalApi } from "../portal/client.js";
import type { ApplicationPlan, PlanAction } from "./plan.js";

/** What happened to one planned action. */
export interface ActionOutcome {
  action: PlanAction;
  ok: boolean;
  /** The Portal id the action created or touched. */
  portalId?: string;
  /** The Portal's reason when it refused. */
  error?: string;
}

export interface ApplyResult {
  slug: string;
  applicationId?: string;
  outcomes: ActionOutcome[];
  /** Actions not attempted because an earlier one failed (they depend on it). */
  skipped: PlanAction[];
}

export interface ApplyContext {
  portal: PortalApi;
  repo: RepoRef;
  /** What the store already knows about this application, if anything. */
  record?: ApplicationRecord;
  /** Persists the ids learned so far; called right after each create, so a crash loses none. */
  saveRecord(record: ApplicationRecord): Promise<void>;
  /** One audit entry per Portal write. */
  audit(action: PlanAction, portalId: string | undefined): Promise<void>;
  now?: () => Date;
}

/**
 * A stable idempotency key per (repository, application, object): a sync interrupted after the
 * Portal created something gets that same object back on the next attempt instead of a second one.
 */
export function idempotencyKey(repo: RepoRef, slug: string, scope: string): string {
  const digest = createHash("sha256").update(`${repo.owner}/${repo.repo}`.toLowerCase()).update("\0").update(slug).update("\0").update(scope).digest("hex");
  return `ppb-${digest.slice(0, 48)}`;
}

/** Runs one application's plan in order, stopping at the first refusal because later steps depend on earlier ones. */
export async function applyApplicationPlan(plan: ApplicationPlan, context: ApplyContext): Promise<ApplyResult> {
  const now = context.now ?? (() => new Date());
  // An adopted id wins over what the store remembered for this slug.
  let record: ApplicationRecord | undefined =
    plan.applicationId && context.record?.applicationId !== plan.applicationId
      ? newRecord(context.repo, plan.slug, plan.applicationId, now)
      : context.record;
  const outcomes: ActionOutcome[] = [];
  const key = (scope: string) => ({ idempotencyKey: idempotencyKey(context.repo, plan.slug, scope) });

  const save = async (update: (current: ApplicationRecord) => void) => {
    if (!record) return;
    update(record);
    record.updatedAt = now().toISOString();
    await context.saveRecord(record);
  };
  const applicationId = () => {
    if (!record) throw new Error(`no Portal application for ${plan.slug} yet`);
    return record.applicationId;
  };
  const serviceId = (serviceKey: string, planned?: string) => {
    const id = planned ?? record?.services[serviceKey]?.serviceId;
    if (!id) throw new Error(`no Portal service ${serviceKey} for ${plan.slug} yet`);
    return id;
  };

  const run = async (action: PlanAction): Promise<string | undefined> => {
    switch (action.type) {
      case "create-application": {
        const created = await context.portal.createApplication(action.body, key("application"));
        record = newRecord(context.repo, plan.slug, created.id, now);
        await save(() => {});
        return created.id;
      }
      case "update-application":
        await context.portal.updateApplication(applicationId(), action.patch);
        return applicationId();
      case "update-sharing":
        await context.portal.updateApplication(applicationId(), { shared_with: action.sharedWith });
        return applicationId();
      case "create-service": {
        const created = await context.portal.createService(applicationId(), action.body, key(`service:${action.serviceKey}`));
        await save((current) => {
          current.services[action.serviceKey] = { serviceId: created.id, versions: current.services[action.serviceKey]?.versions ?? {} };
        });
        return created.id;
      }
      case "update-service":
        await context.portal.updateService(applicationId(), action.serviceId, action.patch);
        return action.serviceId;
      case "create-version": {
        const id = serviceId(action.serviceKey, action.serviceId);
        const created = await context.portal.createServiceVersion(applicationId(), id, action.body, key(`version:${action.serviceKey}:${action.body.version}`));
        await save((current) => {
          const service = (current.services[action.serviceKey] ??= { serviceId: id, versions: {} });
          service.versions[String(created.version)] = created.id;
        });
        return created.id;
      }
      case "update-version":
        await context.portal.updateServiceVersion(applicationId(), action.serviceId, action.versionId, action.patch);
        return action.versionId;
      case "deprecate-version":
        await context.portal.deprecateServiceVersion(applicationId(), action.serviceId, action.versionId, key(`deprecate:${action.versionId}`));
        return action.versionId;
    }
  };

  for (const [index, action] of plan.actions.entries()) {
    try {
      const portalId = await run(action);
      outcomes.push({ action, ok: true, ...(portalId ? { portalId } : {}) });
      await context.audit(action, portalId);
    } catch (error) {
      outcomes.push({ action, ok: false, error: describe(error) });
      return { slug: plan.slug, applicationId: record?.applicationId, outcomes, skipped: plan.actions.slice(index + 1) };
    }
  }
  return { slug: plan.slug, applicationId: record?.applicationId, outcomes, skipped: [] };
}

function newRecord(repo: RepoRef, slug: string, applicationId: string, now: () => Date): ApplicationRecord {
  return { repo, slug, applicationId, services: {}, updatedAt: now().toISOString() };
}

function describe(error: unknown): string {
  if (error instanceof PortalError) return error.portalMessage;
  return error instanceof Error ? error.message : String(error);
}
