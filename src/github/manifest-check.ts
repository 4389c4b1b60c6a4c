import type { Logger } from "probot";
import { validateManifests, type ValidationReport } from "../manifest/index.js";
import type { BlobCache } from "./blob-cache.js";
import { runCheck, type CheckRunResult } from "./check-run.js";
import { manifestCheckResult } from "./manifest-report.js";
import type { InstallationOctokit, RepoCoordinates } from "./octokit.js";
import { readManifestsAtRef } from "./manifest-source.js";
import type { RepoConfigResult } from "./repo-config.js";

export const MANIFEST_CHECK_NAME = "Pigello manifests";

export interface ManifestCheckDeps {
  octokit: InstallationOctokit;
  log: Logger;
  blobCache: BlobCache;
  loadConfig: () => Promise<RepoConfigResult>;
}

export interface ManifestCheckOutcome {
  result: CheckRunResult;
  report?: ValidationReport;
  /** Every GitHub request this check made, for the README's cost table and the bench. */
  githubRequests: number;
}

/** Validates every manifest at a commit and publishes the "Pigello manifests" check run. */
export async function checkManifestsAtCommit(
  deps: ManifestCheckDeps,
  where: RepoCoordinates & { headSha: string },
): Promise<ManifestCheckOutcome> {
  let report: ValidationReport | undefined;
  let readRequests = 0;
  const { result, githubRequests } = await runCheck(
    deps.octokit,
    { ...where, name: MANIFEST_CHECK_NAME },
    async () => {
      const config = await deps.loadConfig();
      if (!config.ok) {
        return {
          conclusion: "failure",
          title: "The repository config is invalid",
          summary: `${config.message}\n\nFix \`.github/pigello.yml\` on the default branch, then re-run this check.`,
        };
      }
      const snapshot = await readManifestsAtRef(deps.octokit, { ...where, ref: where.headSha, glob: config.config.manifests }, deps.blobCache);
      readRequests = snapshot.githubRequests;
      report = validateManifests(snapshot.files);
      const notes = snapshot.treeTruncated
        ? ["⚠️ GitHub truncated this repository's file tree, so manifests beyond the cut were not checked."]
        : [];
      return manifestCheckResult(report, snapshot.files.map((file) => file.path), notes);
    },
    (error) => deps.log.error({ err: error, ...where }, "manifest check failed"),
  );
  return { result, report, githubRequests: githubRequests + readRequests };
}
