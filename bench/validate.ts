// Validation throughput: 1,000 realistic manifests built in memory, validated in one call.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validateManifests } from "../src/manifest/index.js";
import type { ManifestFile } from "../src/manifest/index.js";

const MANIFEST_COUNT = 1_000;
const LEVELS = ["organization", "company", "real_estate", "tenant"] as const;
const ENTITIES = ["accounts.company", "accounts.tenant", "objects.realestate", "objects.apartment", "contracts.apartmentcontract", "accounting.supplierinvoice"];

/** A fixed-format Pigello account id (UUID); seven distinct accounts are shared across the manifests. */
function accountId(account: number): string {
  return `3f2b8c1e-5d4a-4c7b-9e2f-${String(account).padStart(12, "0")}`;
}

export function realisticManifest(index: number): ManifestFile {
  const slug = `integration-${index}`;
  const serviceCount = 1 + (index % 3);
  const services = Array.from({ length: serviceCount }, (_, serviceIndex) => {
    const permissions = ENTITIES.slice(0, 2 + ((index + serviceIndex) % 4)).map(
      (entity, permissionIndex) => `      - ${entity}:${permissionIndex % 2 === 0 ? "read" : "write"}`,
    );
    return [
      `  - key: service-${serviceIndex}`,
      `    name: Service ${serviceIndex} of integration ${index}`,
      `    description: Synchronises data for customer number ${index} between Pigello and an external system.`,
      `    activationLevel: ${LEVELS[(index + serviceIndex) % LEVELS.length]}`,
      `    version: ${1 + (serviceIndex % 3)}`,
      "    permissions:",
      ...permissions,
      "    configuration:",
      "      syncIntervalMinutes: 15",
      `      endpoints: { base: "https://example.test/${index}", retries: 3 }`,
      "      features: [invoices, contracts, notices]",
      "    activationVariables:",
      "      - name: API_KEY",
      "        description: Key for the external system.",
      "        required: true",
      "      - name: region",
      "        description: Optional region.",
    ].join("\n");
  });
  const content = [
    "# yaml-language-server: $schema=../../schema/app-manifest.v1.json",
    "schemaVersion: 1",
    `name: Integration ${index}`,
    `description: A generated integration used to measure validation speed (${index}).`,
    "visibility: private",
    `sharedWith: [${accountId(index % 7)}]`,
    "services:",
    ...services,
    "",
  ].join("\n");
  return { path: `.pigello/apps/${slug}.yml`, content };
}

export interface BenchResult {
  manifests: number;
  /** The first call in a fresh process: includes JIT warm-up of yaml, zod and our code (what a CLI run pays). */
  firstCallMs: number;
  /** Best of a few calls after that first one (what a long-running GitHub App pays per check). */
  ms: number;
  peakRssMb: number;
}

const WARM_RUNS = 3;

export async function benchValidate(): Promise<BenchResult> {
  const files = Array.from({ length: MANIFEST_COUNT }, (_, index) => realisticManifest(index));
  const timed = (): number => {
    const started = performance.now();
    const report = validateManifests(files);
    const ms = performance.now() - started;
    if (report.manifests.length !== MANIFEST_COUNT) {
      throw new Error(`benchmark manifests should all be valid; first problem: ${report.problems[0]?.message ?? "none"}`);
    }
    return ms;
  };
  const firstCallMs = timed();
  // Best rather than mean: on a shared machine the slow outliers are other processes, not this code.
  const ms = Math.min(...Array.from({ length: WARM_RUNS }, timed));
  // maxRSS is in kilobytes.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  return { manifests: MANIFEST_COUNT, firstCallMs: Math.round(firstCallMs), ms: Math.round(ms), peakRssMb: Math.round(peakRssMb) };
}

const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await benchValidate())}\n`);
}
