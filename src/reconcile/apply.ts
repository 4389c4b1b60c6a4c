import { createHash, randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { ApplicationRecord, RepoRef, StateStore } from "../store/port.js";
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
  /**
   * An interrupted create was finished with its original body, which the manifest has changed
   * since: the object exists but needs a fresh plan to catch up.
   */
  replayedStaleCreate: boolean;
}

export interface ApplyContext {
  portal: PortalApi;
  repo: RepoRef;
  /** What the store already knows about this application, if anything. */
  record?: ApplicationRecord;
  /** Where create intents are written before each Portal create. */
  intents: Pick<StateStore, "getPendingCreate" | "putPendingCreate" | "deletePendingCreate">;
  /** Persists the ids learned so far; called right after each create, so a crash loses none. */
  saveRecord(record: ApplicationRecord): Promise<void>;
  /** One audit entry per Portal write. */
  audit(action: PlanAction, portalId: string | undefined): Promise<void>;
  now?: () => Date;
}

/** An idempotency key naming the repository, application and object, unique per attempt to create it. */
export function idempotencyKey(repo: RepoRef, slug: string, scope: string, attempt: string): string {
  const digest = createHash("sha256")
    .update(`${repo.owner}/${repo.repo}`.toLowerCase())
    .update("\0")
    .update(slug)
    .update("\0")
    .update(scope)
    .update("\0")
    .update(attempt)
    .digest("hex");
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
  let replayedStaleCreate = false;

  /**
   * Every create is written down (key and body) before it is sent. An earlier attempt whose
   * answer was lost is replayed exactly, so the Portal returns that object instead of making a
   * second; the intent is removed once the new id is stored.
   */
  const createOnce = async <B, T extends { id: string }>(scope: string, body: B, send: (body: B, options: { idempotencyKey: string }) => Promise<T>, remember: (created: T) => Promise<void>) => {
    const earlier = await context.intents.getPendingCreate(context.repo, plan.slug, scope);
    const intent = earlier ?? { idempotencyKey: idempotencyKey(context.repo, plan.slug, scope, randomUUID()), body, startedAt: now().toISOString() };
    if (!earlier) await context.intents.putPendingCreate(context.repo, plan.slug, scope, intent);
    const created = await send(intent.body as B, { idempotencyKey: intent.idempotencyKey });
    await remember(created);
    await context.intents.deletePendingCreate(context.repo, plan.slug, scope);
    if (earlier && !isDeepStrictEqual(earlier.body, body)) replayedStaleCreate = true;
    return created;
  };

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
        // A record whose application vanished from the Portal makes this a new object, not a replay.
        const scope = record ? `application:replacing:${record.applicationId}` : "application";
        const created = await createOnce(scope, action.body, (body, options) => context.portal.createApplication(body, options), async (application) => {
          record = newRecord(context.repo, plan.slug, application.id, now);
          await save(() => {});
        });
        return created.id;
      }
      case "update-application":
        await context.portal.updateApplication(applicationId(), action.patch);
        return applicationId();
      case "update-sharing":
        await context.portal.updateApplication(applicationId(), { shared_with: action.sharedWith });
        return applicationId();
      case "create-service": {
        const parent = applicationId();
        const created = await createOnce(`service:${parent}:${action.serviceKey}`, action.body, (body, options) => context.portal.createService(parent, body, options), (service) =>
          save((current) => {
            current.services[action.serviceKey] = { serviceId: service.id, versions: current.services[action.serviceKey]?.versions ?? {} };
          }),
        );
        return created.id;
      }
      case "update-service":
        await context.portal.updateService(applicationId(), action.serviceId, action.patch);
        return action.serviceId;
      case "create-version": {
        const parent = applicationId();
        const id = serviceId(action.serviceKey, action.serviceId);
        const created = await createOnce(
          `version:${id}:${action.body.version}`,
          action.body,
          (body, options) => context.portal.createServiceVersion(parent, id, body, options),
          (version) =>
            save((current) => {
              const service = (current.services[action.serviceKey] ??= { serviceId: id, versions: {} });
              service.versions[String(version.version)] = version.id;
            }),
        );
        return created.id;
      }
      case "update-version":
        await context.portal.updateServiceVersion(applicationId(), action.serviceId, action.versionId, action.patch);
        return action.versionId;
      case "deprecate-version":
        // Deprecating twice changes nothing, so a fixed key per version is enough.
        await context.portal.deprecateServiceVersion(applicationId(), action.serviceId, action.versionId, {
          idempotencyKey: idempotencyKey(context.repo, plan.slug, `deprecate:${action.versionId}`, "once"),
        });
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
      return { slug: plan.slug, applicationId: record?.applicationId, outcomes, skipped: plan.actions.slice(index + 1), replayedStaleCreate };
    }
  }
  return { slug: plan.slug, applicationId: record?.applicationId, outcomes, skipped: [], replayedStaleCreate };
}

function newRecord(repo: RepoRef, slug: string, applicationId: string, now: () => Date): ApplicationRecord {
  return { repo, slug, applicationId, services: {}, updatedAt: now().toISOString() };
}

function describe(error: unknown): string {
  if (error instanceof PortalError) return error.portalMessage;
  return error instanceof Error ? error.message : String(error);
}
