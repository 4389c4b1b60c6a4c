import { isDeepStrictEqual } from "node:util";
import type { ManifestV1, ServiceManifestV1 } from "../manifest/index.js";
import type {
  Application,
  ApplicationCreate,
  ApplicationPatch,
  Service,
  ServiceCreate,
  ServicePatch,
  ServiceVersion,
  ServiceVersionCreate,
  ServiceVersionPatch,
} from "../portal/types.js";

/**
 * Reconcile, pure: the desired applications (valid manifests at a commit) against the actual
 * ones (the Portal) give a plan that `apply` interprets and `render` prints.
 */

export interface DesiredApplication {
  file: string;
  manifest: ManifestV1;
}

export interface PlanInput {
  desired: DesiredApplication[];
  /** Every application the Portal token can see (services and versions embedded). */
  portal: Application[];
  /** slug → Portal application id, as remembered for this repository. */
  known: ReadonlyMap<string, string>;
  /** From `.github/pigello.yml`: removed manifests and services are deprecated instead of left alone. */
  prune: boolean;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export type PlanAction =
  | { type: "create-application"; body: ApplicationCreate }
  | { type: "update-application"; patch: ApplicationPatch; changes: FieldChange[] }
  | { type: "update-sharing"; share: string[]; unshare: string[]; sharedWith: string[] }
  | { type: "create-service"; serviceKey: string; body: ServiceCreate }
  | { type: "update-service"; serviceKey: string; serviceId: string; patch: ServicePatch; changes: FieldChange[] }
  | {
      type: "create-version";
      serviceKey: string;
      /** Absent when the service is created by this same plan. */
      serviceId?: string;
      body: ServiceVersionCreate;
      /** Why a new version: the first of a new service, a raised `version`, or a published one changed. */
      reason: string;
    }
  | {
      type: "update-version";
      serviceKey: string;
      serviceId: string;
      versionId: string;
      version: number;
      patch: ServiceVersionPatch;
      changes: FieldChange[];
    }
  | { type: "deprecate-version"; serviceKey: string; serviceId: string; versionId: string; version: number; reason: string };

export type ApplicationStatus = "create" | "change" | "unchanged" | "left-alone" | "blocked";

export interface ApplicationPlan {
  slug: string;
  name: string;
  /** The manifest behind it; absent for an application whose manifest was removed. */
  file?: string;
  /** Absent until the application is created. */
  applicationId?: string;
  isDraft: boolean;
  status: ApplicationStatus;
  actions: PlanAction[];
  /** Things the plan deliberately leaves alone, said so nobody is surprised. */
  notes: string[];
}

/** A manifest the Portal's rules cannot accept as written: reported on the pull request like a validation error. */
export interface PlanProblem {
  slug: string;
  file: string;
  pointer: string;
  message: string;
}

export interface Plan {
  applications: ApplicationPlan[];
  problems: PlanProblem[];
}

export function planReconcile(input: PlanInput): Plan {
  const portalById = new Map(input.portal.map((application) => [application.id, application]));
  const problems: PlanProblem[] = [];
  const applications: ApplicationPlan[] = [];
  const claimed = new Set<string>();

  for (const desired of [...input.desired].sort((a, b) => a.manifest.slug.localeCompare(b.manifest.slug))) {
    const { manifest } = desired;
    const adoptedId = manifest.portalApplicationId;
    const knownId = input.known.get(manifest.slug);
    const applicationId = adoptedId ?? knownId;
    const actual = applicationId ? portalById.get(applicationId) : undefined;
    if (applicationId) claimed.add(applicationId);

    const rival = adoptedId ? rivalFor(input, desired, adoptedId) : undefined;
    if (rival) {
      problems.push({ slug: manifest.slug, file: desired.file, pointer: "/portalApplicationId", message: rival });
      applications.push({ slug: manifest.slug, name: manifest.name, file: desired.file, isDraft: true, status: "blocked", actions: [], notes: [] });
      continue;
    }
    if (adoptedId && !actual) {
      problems.push({
        slug: manifest.slug,
        file: desired.file,
        pointer: "/portalApplicationId",
        message: `The Portal has no application ${adoptedId} visible to the bot's Portal token; check the id, or share the application with the bot's account.`,
      });
      applications.push({ slug: manifest.slug, name: manifest.name, file: desired.file, isDraft: true, status: "blocked", actions: [], notes: [] });
      continue;
    }
    const notes =
      knownId && !actual
        ? [`The application recorded for this manifest (${knownId}) is gone from the Portal, so a new draft will be created.`]
        : [];
    const planned = actual ? planExisting(desired, actual, input.prune, problems) : planNew(desired);
    planned.notes.unshift(...notes);
    applications.push(planned);
  }

  for (const [slug, applicationId] of [...input.known].sort(([a], [b]) => a.localeCompare(b))) {
    if (claimed.has(applicationId) || input.desired.some((desired) => desired.manifest.slug === slug)) continue;
    const actual = portalById.get(applicationId);
    if (!actual) continue;
    applications.push(planRemoved(slug, actual, input.prune));
  }

  return { applications, problems };
}

/** Two manifests driving one Portal application would undo each other's changes on every sync. */
function rivalFor(input: PlanInput, desired: DesiredApplication, adoptedId: string): string | undefined {
  const other = input.desired.find((candidate) => candidate !== desired && candidate.manifest.portalApplicationId === adoptedId);
  if (other) return `\`${other.file}\` adopts the same Portal application ${adoptedId}; one application needs exactly one manifest, so remove \`portalApplicationId\` from one of them.`;
  const managedAs = [...input.known].find(([slug, id]) => id === adoptedId && slug !== desired.manifest.slug)?.[0];
  if (managedAs) return `Portal application ${adoptedId} is already managed by this repository as \`${managedAs}\`; edit that manifest instead, or remove \`portalApplicationId\` here.`;
  return undefined;
}

function planNew({ file, manifest }: DesiredApplication): ApplicationPlan {
  const actions: PlanAction[] = [{ type: "create-application", body: applicationBody(manifest) }];
  for (const service of manifest.services) {
    actions.push({ type: "create-service", serviceKey: service.key, body: serviceBody(service) });
    actions.push({ type: "create-version", serviceKey: service.key, body: versionBody(service), reason: "first version of a new service" });
  }
  return { slug: manifest.slug, name: manifest.name, file, isDraft: true, status: "create", actions, notes: [] };
}

function planExisting(
  { file, manifest }: DesiredApplication,
  actual: Application,
  prune: boolean,
  problems: PlanProblem[],
): ApplicationPlan {
  const actions: PlanAction[] = [];
  const notes: string[] = [];
  const problemCount = problems.length;

  const wanted = applicationBody(manifest);
  const changes = fieldChanges({ name: actual.name, description: actual.description, visibility: actual.visibility }, {
    name: wanted.name,
    description: wanted.description,
    visibility: wanted.visibility,
  });
  if (changes.length > 0) actions.push({ type: "update-application", patch: patchOf(changes), changes });

  const share = manifest.sharedWith.filter((account) => !actual.shared_with.includes(account));
  const unshare = actual.shared_with.filter((account) => !manifest.sharedWith.includes(account));
  if (share.length > 0 || unshare.length > 0) {
    actions.push({ type: "update-sharing", share, unshare, sharedWith: [...manifest.sharedWith] });
  }

  const servicesByKey = new Map(actual.services.map((service) => [service.key, service]));
  manifest.services.forEach((service, index) => {
    const existing = servicesByKey.get(service.key);
    if (!existing) {
      actions.push({ type: "create-service", serviceKey: service.key, body: serviceBody(service) });
      actions.push({ type: "create-version", serviceKey: service.key, body: versionBody(service), reason: "first version of a new service" });
      return;
    }
    actions.push(...planService(file, manifest.slug, `/services/${index}`, service, existing, actual.is_draft, problems));
  });

  for (const service of actual.services) {
    if (manifest.services.some((wantedService) => wantedService.key === service.key)) continue;
    const live = service.versions.filter((version) => !version.is_deprecated);
    if (prune && live.length > 0) {
      for (const version of live) {
        actions.push({
          type: "deprecate-version",
          serviceKey: service.key,
          serviceId: service.id,
          versionId: version.id,
          version: version.version,
          reason: "the service was removed from the manifest (prune: true)",
        });
      }
    } else if (!prune) {
      notes.push(`Service \`${service.key}\` is in the Portal but not in the manifest: left alone (set \`prune: true\` in .github/pigello.yml to deprecate it).`);
    }
  }

  const blocked = problems.length > problemCount;
  return {
    slug: manifest.slug,
    name: manifest.name,
    file,
    applicationId: actual.id,
    isDraft: actual.is_draft,
    status: blocked ? "blocked" : actions.length > 0 ? "change" : "unchanged",
    actions: blocked ? [] : actions,
    notes,
  };
}

function planService(
  file: string,
  slug: string,
  pointer: string,
  service: ServiceManifestV1,
  existing: Service,
  isDraft: boolean,
  problems: PlanProblem[],
): PlanAction[] {
  const actions: PlanAction[] = [];
  const serviceChanges = fieldChanges({ name: existing.name, description: existing.description }, { name: service.name, description: service.description });
  if (serviceChanges.length > 0) {
    actions.push({ type: "update-service", serviceKey: service.key, serviceId: existing.id, patch: patchOf(serviceChanges), changes: serviceChanges });
  }

  const latest = latestVersion(existing.versions);
  const wanted = versionBody(service);
  if (!latest || service.version > latest.version) {
    actions.push({
      type: "create-version",
      serviceKey: service.key,
      serviceId: existing.id,
      body: wanted,
      reason: latest ? `\`version\` raised from ${latest.version} to ${service.version}` : "the service has no version yet",
    });
  } else if (service.version < latest.version) {
    problems.push({
      slug,
      file,
      pointer: `${pointer}/version`,
      message: `Service \`${service.key}\` is already at version ${latest.version} in the Portal; versions never go back, so set \`version: ${latest.version}\` (or higher for a new version).`,
    });
  } else {
    const changes = versionChanges(latest, wanted);
    if (changes.length > 0 && isDraft) {
      actions.push({
        type: "update-version",
        serviceKey: service.key,
        serviceId: existing.id,
        versionId: latest.id,
        version: latest.version,
        patch: patchOf(changes),
        changes,
      });
    } else if (changes.length > 0) {
      problems.push({
        slug,
        file,
        pointer: `${pointer}/version`,
        message: `Version ${latest.version} of service \`${service.key}\` is published, so its ${changes.map((change) => change.field).join(", ")} cannot change in place; raise \`version\` to ${latest.version + 1} to create a new version (version ${latest.version} stays for existing customers).`,
      });
    }
  }

  for (const number of service.deprecatedVersions) {
    const target = existing.versions.find((candidate) => candidate.version === number);
    if (target && !target.is_deprecated) {
      actions.push({
        type: "deprecate-version",
        serviceKey: service.key,
        serviceId: existing.id,
        versionId: target.id,
        version: number,
        reason: "listed in `deprecatedVersions`",
      });
    }
  }
  return actions;
}

function planRemoved(slug: string, actual: Application, prune: boolean): ApplicationPlan {
  const base = { slug, name: actual.name, applicationId: actual.id, isDraft: actual.is_draft };
  if (!prune) {
    return {
      ...base,
      status: "left-alone",
      actions: [],
      notes: [`The manifest of \`${slug}\` was removed; the Portal application is left alone (set \`prune: true\` in .github/pigello.yml to deprecate its versions).`],
    };
  }
  const actions: PlanAction[] = actual.services.flatMap((service) =>
    service.versions
      .filter((version) => !version.is_deprecated)
      .map((version): PlanAction => ({
        type: "deprecate-version",
        serviceKey: service.key,
        serviceId: service.id,
        versionId: version.id,
        version: version.version,
        reason: "the manifest was removed (prune: true)",
      })),
  );
  return {
    ...base,
    status: actions.length > 0 ? "change" : "unchanged",
    actions,
    notes: ["The Portal has no way to delete an application; pruning deprecates its versions so no customer can activate them."],
  };
}

export function applicationBody(manifest: ManifestV1): ApplicationCreate {
  return {
    name: manifest.name,
    description: manifest.description,
    visibility: manifest.visibility,
    shared_with: [...manifest.sharedWith],
  };
}

export function serviceBody(service: ServiceManifestV1): ServiceCreate {
  return { key: service.key, name: service.name, description: service.description, activation_level: service.activationLevel };
}

export function versionBody(service: ServiceManifestV1): ServiceVersionCreate {
  return {
    version: service.version,
    description: service.description,
    permissions: [...service.permissions].sort(),
    configuration: structuredClone(service.configuration) as ServiceVersionCreate["configuration"],
    activation_level: service.activationLevel,
    activation_variables: service.activationVariables.map((variable) => ({
      name: variable.name,
      description: variable.description,
      required: variable.required,
    })),
  };
}

function latestVersion(versions: ServiceVersion[]): ServiceVersion | undefined {
  return versions.reduce<ServiceVersion | undefined>((latest, version) => (!latest || version.version > latest.version ? version : latest), undefined);
}

/** The attributes that make a version; permissions compare as a set. */
function versionChanges(actual: ServiceVersion, wanted: ServiceVersionCreate): FieldChange[] {
  return fieldChanges(
    {
      description: actual.description,
      permissions: [...actual.permissions].sort(),
      configuration: actual.configuration ?? {},
      activation_level: actual.activation_level,
      activation_variables: actual.activation_variables,
    },
    {
      description: wanted.description ?? "",
      permissions: wanted.permissions,
      configuration: wanted.configuration ?? {},
      activation_level: wanted.activation_level,
      activation_variables: wanted.activation_variables ?? [],
    },
  );
}

function fieldChanges<T extends Record<string, unknown>>(actual: T, wanted: T): FieldChange[] {
  return Object.keys(wanted)
    .filter((field) => !isDeepStrictEqual(actual[field], wanted[field]))
    .map((field) => ({ field, from: actual[field], to: wanted[field] }));
}

function patchOf<P>(changes: FieldChange[]): P {
  return Object.fromEntries(changes.map((change) => [change.field, change.to])) as P;
}

/** Counts for the plan's footer, e.g. "3 applications: 1 to create, 1 to change, 1 unchanged". */
export function planCounts(plan: Plan): Record<ApplicationStatus, number> {
  const counts: Record<ApplicationStatus, number> = { create: 0, change: 0, unchanged: 0, "left-alone": 0, blocked: 0 };
  for (const application of plan.applications) counts[application.status] += 1;
  return counts;
}

export function planHasChanges(plan: Plan): boolean {
  return plan.applications.some((application) => application.actions.length > 0);
}
