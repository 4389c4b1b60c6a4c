import { describe, expect, it } from "vitest";
import { planReconcile, type PlanInput } from "../../src/reconcile/plan.js";
import { GITHUB_TEXT_LIMIT, PLAN_COMMENT_MARKER, planFooter, renderPlanMarkdown, renderPlanText } from "../../src/reconcile/render.js";
import type { Application, ServiceVersion } from "../../src/portal/types.js";
import { desired } from "../helpers/world.js";

const APP_ID = "6f1c2a8e-4b7d-4e1a-9c3f-1a2b3c4d5e6f";
const SERVICE_ID = "0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
const ACCOUNT_A = "11111111-1111-4111-8111-111111111111";
const ACCOUNT_B = "22222222-2222-4222-8222-222222222222";
const AT = "2026-12-01T10:00:00.000Z";

function version(number: number, overrides: Partial<ServiceVersion> = {}): ServiceVersion {
  return {
    id: `00000000-0000-4000-8000-00000000000${number}`,
    service_id: SERVICE_ID,
    version: number,
    description: "Syncs data.",
    permissions: ["accounts.company:read"],
    configuration: {},
    activation_level: "company",
    activation_variables: [],
    is_deprecated: false,
    deprecated_at: null,
    created_at: AT,
    ...overrides,
  };
}

/** The Portal's view of what `desired({ slug: "invoices" })` creates. */
function portalApp(overrides: Partial<Application> = {}, versions: ServiceVersion[] = [version(1)]): Application {
  return {
    id: APP_ID,
    name: "invoices app",
    description: "The invoices integration.",
    visibility: "private",
    shared_with: [],
    is_draft: true,
    owner_account_id: ACCOUNT_A,
    created_at: AT,
    updated_at: AT,
    services: [
      { id: SERVICE_ID, application_id: APP_ID, key: "sync", name: "Sync", description: "Syncs data.", activation_level: "company", created_at: AT, versions },
    ],
    ...overrides,
  };
}

function plan(input: Partial<PlanInput>) {
  return planReconcile({ desired: [], portal: [], known: new Map(), prune: false, ...input });
}

const known = new Map([["invoices", APP_ID]]);

describe("planReconcile", () => {
  it("creates a private draft with its services and first versions for a new manifest", () => {
    const result = plan({ desired: [desired({ slug: "invoices" })] });
    expect(result.problems).toEqual([]);
    expect(result.applications).toHaveLength(1);
    expect(result.applications[0]).toMatchObject({ slug: "invoices", status: "create", isDraft: true });
    expect(result.applications[0]!.actions.map((action) => action.type)).toEqual(["create-application", "create-service", "create-version"]);
    expect(result.applications[0]!.actions[0]).toEqual({
      type: "create-application",
      body: { name: "invoices app", description: "The invoices integration.", visibility: "private", shared_with: [] },
    });
  });

  it("creates a public application only when the manifest says public", () => {
    const result = plan({ desired: [desired({ slug: "invoices", visibility: "public" })] });
    expect(result.applications[0]!.actions[0]).toMatchObject({ body: { visibility: "public" } });
  });

  it("does nothing when the Portal already matches", () => {
    const result = plan({ desired: [desired({ slug: "invoices" })], portal: [portalApp()], known });
    expect(result.applications[0]).toMatchObject({ status: "unchanged", actions: [] });
  });

  it.each([
    ["description", { description: "New words." }, { description: "New words." }],
    ["name", { name: "Invoices" }, { name: "Invoices" }],
    ["visibility", { visibility: "public" as const }, { visibility: "public" }],
  ])("updates the application's %s in place", (_, change, patch) => {
    const result = plan({ desired: [desired({ slug: "invoices", ...change })], portal: [portalApp()], known });
    expect(result.applications[0]!.status).toBe("change");
    expect(result.applications[0]!.actions).toEqual([expect.objectContaining({ type: "update-application", patch })]);
  });

  it("shares with added accounts and unshares removed ones", () => {
    const result = plan({
      desired: [desired({ slug: "invoices", sharedWith: [ACCOUNT_B] })],
      portal: [portalApp({ shared_with: [ACCOUNT_A] })],
      known,
    });
    expect(result.applications[0]!.actions).toEqual([
      { type: "update-sharing", share: [ACCOUNT_B], unshare: [ACCOUNT_A], sharedWith: [ACCOUNT_B] },
    ]);
  });

  it("edits a draft's version in place when its permissions change", () => {
    const manifest = desired({ slug: "invoices" });
    manifest.manifest.services[0]!.permissions = ["accounts.company:read", "accounts.tenant:read"];
    const result = plan({ desired: [manifest], portal: [portalApp()], known });
    expect(result.applications[0]!.actions).toEqual([
      expect.objectContaining({ type: "update-version", version: 1, patch: { permissions: ["accounts.company:read", "accounts.tenant:read"] } }),
    ]);
  });

  it("refuses to change a published version in place, pointing at `version` and saying what to do", () => {
    const manifest = desired({ slug: "invoices" });
    manifest.manifest.services[0]!.permissions = ["accounts.company:write"];
    const result = plan({ desired: [manifest], portal: [portalApp({ is_draft: false })], known });
    expect(result.applications[0]).toMatchObject({ status: "blocked", actions: [] });
    expect(result.problems).toEqual([
      {
        slug: "invoices",
        file: ".pigello/apps/invoices.yml",
        pointer: "/services/0/version",
        message: expect.stringMatching(/Version 1 of service `sync` is published.*permissions.*raise `version` to 2/),
      },
    ]);
  });

  it("creates a new version of a published application when `version` is raised, and leaves the old one", () => {
    const manifest = desired({ slug: "invoices" });
    manifest.manifest.services[0]!.version = 2;
    manifest.manifest.services[0]!.permissions = ["accounts.company:write"];
    const result = plan({ desired: [manifest], portal: [portalApp({ is_draft: false })], known });
    expect(result.applications[0]!.actions).toEqual([
      expect.objectContaining({ type: "create-version", serviceId: SERVICE_ID, body: expect.objectContaining({ version: 2 }), reason: "`version` raised from 1 to 2" }),
    ]);
  });

  it("deprecates the versions listed in `deprecatedVersions`, once", () => {
    const manifest = desired({ slug: "invoices" });
    manifest.manifest.services[0]!.version = 2;
    manifest.manifest.services[0]!.deprecatedVersions = [1];
    const portal = (deprecated: boolean) => [portalApp({ is_draft: false }, [version(1, { is_deprecated: deprecated }), version(2)])];
    expect(plan({ desired: [manifest], portal: portal(false), known }).applications[0]!.actions).toEqual([
      expect.objectContaining({ type: "deprecate-version", version: 1, reason: "listed in `deprecatedVersions`" }),
    ]);
    expect(plan({ desired: [manifest], portal: portal(true), known }).applications[0]!.actions).toEqual([]);
  });

  it("refuses a version lower than the Portal's latest", () => {
    const result = plan({ desired: [desired({ slug: "invoices" })], portal: [portalApp({}, [version(1), version(2)])], known });
    expect(result.problems[0]!.message).toMatch(/already at version 2.*never go back/);
  });

  it("creates a service added to the manifest", () => {
    const manifest = desired({ slug: "invoices" });
    manifest.manifest.services.push({ ...manifest.manifest.services[0]!, key: "tenants", name: "Tenants" });
    const result = plan({ desired: [manifest], portal: [portalApp()], known });
    expect(result.applications[0]!.actions.map((action) => action.type)).toEqual(["create-service", "create-version"]);
  });

  it("leaves a service removed from the manifest alone unless prune is on, then deprecates its versions", () => {
    const manifest = desired({ slug: "invoices" });
    manifest.manifest.services[0]!.key = "renamed";
    const portal = [portalApp()];
    const kept = plan({ desired: [manifest], portal, known });
    expect(kept.applications[0]!.notes.join()).toMatch(/Service `sync` is in the Portal but not in the manifest: left alone/);
    expect(kept.applications[0]!.actions.some((action) => action.type === "deprecate-version")).toBe(false);

    const pruned = plan({ desired: [manifest], portal, known, prune: true });
    expect(pruned.applications[0]!.actions).toContainEqual(expect.objectContaining({ type: "deprecate-version", serviceKey: "sync", version: 1 }));
  });

  it("never deletes the application of a removed manifest; with prune it deprecates its versions", () => {
    const kept = plan({ portal: [portalApp()], known });
    expect(kept.applications[0]).toMatchObject({ slug: "invoices", status: "left-alone", actions: [] });
    expect(kept.applications[0]!.notes[0]).toMatch(/left alone.*prune: true/);

    const pruned = plan({ portal: [portalApp()], known, prune: true });
    expect(pruned.applications[0]!.actions).toEqual([expect.objectContaining({ type: "deprecate-version", version: 1 })]);
  });

  it("adopts an existing Portal application by id", () => {
    const result = plan({ desired: [desired({ slug: "invoices", portalApplicationId: APP_ID, description: "Adopted." })], portal: [portalApp()] });
    expect(result.applications[0]).toMatchObject({ applicationId: APP_ID, status: "change" });
    expect(result.applications[0]!.actions).toEqual([expect.objectContaining({ type: "update-application", patch: { description: "Adopted." } })]);
  });

  it("refuses to adopt an id the Portal does not show", () => {
    const result = plan({ desired: [desired({ slug: "invoices", portalApplicationId: APP_ID })] });
    expect(result.applications[0]!.status).toBe("blocked");
    expect(result.problems[0]).toMatchObject({ pointer: "/portalApplicationId", message: expect.stringContaining(APP_ID) });
  });

  it("refuses two manifests adopting the same Portal application", () => {
    const result = plan({
      desired: [desired({ slug: "invoices", portalApplicationId: APP_ID }), desired({ slug: "copy", portalApplicationId: APP_ID })],
      portal: [portalApp()],
    });
    expect(result.applications.map((application) => application.status)).toEqual(["blocked", "blocked"]);
    expect(result.problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining("`.pigello/apps/invoices.yml` adopts the same Portal application"),
      expect.stringContaining("`.pigello/apps/copy.yml` adopts the same Portal application"),
    ]);
  });

  it("refuses to adopt an application this repository already manages under another slug", () => {
    const result = plan({ desired: [desired({ slug: "second", portalApplicationId: APP_ID })], portal: [portalApp()], known });
    expect(result.problems[0]!.message).toMatch(/already managed by this repository as `invoices`/);
  });

  it("re-creates an application whose recorded id is gone from the Portal, and says so", () => {
    const result = plan({ desired: [desired({ slug: "invoices" })], known });
    expect(result.applications[0]!.status).toBe("create");
    expect(result.applications[0]!.notes[0]).toMatch(/gone from the Portal/);
  });

  it("ignores Portal applications this repository does not manage", () => {
    const result = plan({ desired: [], portal: [portalApp()] });
    expect(result.applications).toEqual([]);
  });
});

describe("rendering the plan", () => {
  const mixed = plan({
    desired: [desired({ slug: "alpha" }), desired({ slug: "invoices", description: "Changed." }), desired({ slug: "zeta" })],
    portal: [portalApp(), portalApp({ id: "33333333-3333-4333-8333-333333333333", name: "zeta app", description: "The zeta integration." })],
    known: new Map([
      ["invoices", APP_ID],
      ["zeta", "33333333-3333-4333-8333-333333333333"],
    ]),
  });

  it("counts applications in the footer", () => {
    expect(planFooter(mixed)).toBe("3 applications: 1 to create, 1 to change, 1 unchanged");
  });

  it("renders Markdown with the hidden marker, a diff per application and the footer", () => {
    const markdown = renderPlanMarkdown(mixed, { commit: "abcdef1234567", applyHint: "Merge to apply." });
    expect(markdown.startsWith(PLAN_COMMENT_MARKER)).toBe(true);
    expect(markdown).toContain("### Pigello Portal plan for `abcdef1`");
    expect(markdown).toContain('+ application "alpha app" (private, draft)');
    expect(markdown).toContain('~ application description: "The invoices integration." → "Changed."');
    expect(markdown).toContain("**3 applications: 1 to create, 1 to change, 1 unchanged.** Merge to apply.");
  });

  it("stays within GitHub's comment limit for thousands of applications", () => {
    const huge = plan({ desired: Array.from({ length: 3_000 }, (_, index) => desired({ slug: `app-${index}`, description: "x".repeat(300) })) });
    const markdown = renderPlanMarkdown(huge, { commit: "abcdef1", applyHint: "" });
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
    expect(markdown).toContain("3000 applications: 3000 to create");
  });

  it("renders plain text for the command line", () => {
    const text = renderPlanText(mixed);
    expect(text).toContain("alpha: to create");
    expect(text).toContain("  + service sync \"Sync\" (activation level: company)");
    expect(text.trim().endsWith("3 applications: 1 to create, 1 to change, 1 unchanged.")).toBe(true);
  });
});
