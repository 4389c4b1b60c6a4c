import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceManifestV1 } from "../../src/manifest/index.js";
import { versionBody, type DesiredApplication } from "../../src/reconcile/plan.js";
import { planRepository, syncRepository } from "../../src/reconcile/sync.js";
import { desired, startWorld, type World } from "../helpers/world.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

const RUNS = Number(process.env.PROPERTY_RUNS ?? 15);

const permission = fc.constantFrom("accounts.company:read", "accounts.tenant:read", "objects.realestate:write", "contracts.apartmentcontract:read");
const service = (key: string) =>
  fc.record({
    key: fc.constant(key),
    name: fc.constantFrom("Sync", "Invoices", "Tenants"),
    description: fc.constantFrom("Syncs data.", "Reads invoices.", "Writes real estates."),
    activationLevel: fc.constantFrom("organization", "company", "real_estate", "tenant" as const),
    version: fc.integer({ min: 1, max: 3 }),
    permissions: fc.uniqueArray(permission, { minLength: 1, maxLength: 3 }),
    configuration: fc.dictionary(fc.constantFrom("interval", "currency", "mode"), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean()), { maxKeys: 2 }),
    activationVariables: fc.uniqueArray(
      fc.record({ name: fc.constantFrom("API_KEY", "BASE_URL", "client_id"), description: fc.constant("A value."), required: fc.boolean() }),
      { maxLength: 2, selector: (variable) => variable.name },
    ),
  });
const application = (slug: string) =>
  fc.record({
    slug: fc.constant(slug),
    name: fc.constantFrom("Invoices", "Tenant portal", "Real estate sync"),
    description: fc.constantFrom("First words.", "Other words."),
    visibility: fc.constantFrom("private", "public" as const),
    sharedWith: fc.uniqueArray(fc.uuid({ version: 4 }), { maxLength: 2 }),
    services: fc.uniqueArray(fc.constantFrom("sync", "invoices", "tenants"), { minLength: 1, maxLength: 2 }).chain((keys) => fc.tuple(...keys.map(service))),
  });
const applications = fc.uniqueArray(fc.constantFrom("alpha", "beta", "gamma"), { minLength: 1, maxLength: 3 }).chain((slugs) => fc.tuple(...slugs.map(application)));

/**
 * What an author does to satisfy the Portal's rules: versions never go back, and a published
 * version whose attributes change gets a raised `version`, as the plan's problem message says.
 */
function asAuthorWould(before: DesiredApplication | undefined, after: DesiredApplication, published: boolean): DesiredApplication {
  if (!before) return after;
  const services = after.manifest.services.map((next): ServiceManifestV1 => {
    const previous = before.manifest.services.find((candidate) => candidate.key === next.key);
    if (!previous) return next;
    const version = Math.max(next.version, previous.version);
    const changed = !isDeepStrictEqual(versionBody({ ...next, version }), versionBody({ ...previous, version }));
    return { ...next, version: published && changed && version === previous.version ? version + 1 : version };
  });
  return { ...after, manifest: { ...after.manifest, services } };
}

describe("apply, then plan again", () => {
  it("always converges to an empty plan, through drafts and published applications", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(applications, applications, fc.boolean(), async (first, second, publish) => {
        run += 1;
        const store = await world.freshStore();
        const deps = { portal: world.portal, store };
        const repo = { owner: "prop", repo: `run-${run}` };
        const base = { repo, branch: "main", commit: `commit-${run}`, actor: "prop", prune: false };

        // Every version starts at 1 on a new service, so the first generation creates cleanly.
        const firstDesired = first.map((input) => desired({ ...input, services: input.services.map((candidate) => ({ ...candidate, version: 1 })) }));
        await syncRepository(deps, { ...base, manifests: firstDesired });
        const afterFirst = await planRepository(deps, { repo, manifests: firstDesired, prune: false });
        expect(afterFirst.problems).toEqual([]);
        expect(afterFirst.applications.every((planned) => planned.actions.length === 0)).toBe(true);

        const records = await store.listApplications(repo);
        if (publish) {
          for (const record of records) {
            const review = await world.portal.openReviewRequest(record.applicationId, { message: "Please review." });
            world.emulator.control.decideReview(review.id, "approve", "Looks good.");
          }
        }
        const secondDesired = second.map((input) => {
          const candidate = desired(input);
          const before = firstDesired.find((previous) => previous.manifest.slug === candidate.manifest.slug);
          return asAuthorWould(before, candidate, publish);
        });
        const syncOutcome = await syncRepository(deps, { ...base, commit: `commit-${run}-b`, manifests: secondDesired });
        expect(syncOutcome.refused).toEqual([]);
        const afterSecond = await planRepository(deps, { repo, manifests: secondDesired, prune: false });
        expect(afterSecond.problems).toEqual([]);
        expect(afterSecond.applications.filter((planned) => planned.actions.length > 0)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
    expect(world.emulator.control.contractViolations()).toEqual([]);
  });
});
