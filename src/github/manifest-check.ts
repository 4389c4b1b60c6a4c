import type { Logger } from "probot";
import { validateManifests, type Problem, type ValidatedManifest, type ValidationReport } from "../manifest/index.js";
import type { RepoConfig } from "../manifest/repo-config.js";
import type { Plan } from "../reconcile/plan.js";
import { PLAN_COMMENT_MARKER, renderPlanMarkdown } from "../reconcile/render.js";
import type { BlobCache } from "./blob-cache.js";
import { runCheck, type CheckRunResult } from "./check-run.js";
import { manifestCheckResult } from "./manifest-report.js";
import type { InstallationOctokit, RepoCoordinates } from "./octokit.js";
import { readManifestsAtRef } from "./manifest-source.js";
import type { RepoConfigResult } from "./repo-config.js";
import { upsertStickyComment } from "./sticky-comment.js";

export const MANIFEST_CHECK_NAME = "Pigello manifests";

/** Plans the valid manifests against the Portal; absent when no Portal is configured. */
export type Planner = (manifests: ValidatedManifest[], config: RepoConfig) => Promise<Plan>;

export interface ManifestCheckDeps {
  octokit: InstallationOctokit;
  log: Logger;
  blobCache: BlobCache;
  loadConfig: () => Promise<RepoConfigResult>;
  planner?: Planner;
}

export interface ManifestCheckOutcome {
  result: CheckRunResult;
  report?: ValidationReport;
  plan?: Plan;
}

const APPLY_HINT = "Merging this pull request applies it to the Portal as drafts; nothing is published before Pigello's review.";

/**
 * Validates every manifest at a commit, plans the valid ones against the Portal, publishes the
 * "Pigello manifests" check run and, for a pull request, the one sticky plan comment.
 */
export async function checkManifestsAtCommit(
  deps: ManifestCheckDeps,
  where: RepoCoordinates & { headSha: string; pullRequestNumber?: number },
): Promise<ManifestCheckOutcome> {
  let report: ValidationReport | undefined;
  let plan: Plan | undefined;
  let planWaitsForValidManifests = false;
  const { result } = await runCheck(
    deps.octokit,
    {
      owner: where.owner,
      repo: where.repo,
      headSha: where.headSha,
      name: MANIFEST_CHECK_NAME,
      retryHint: "Re-run this check from the Checks tab; if it fails again, the app's logs have the details.",
    },
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
      report = validateManifests(snapshot.files);
      const notes = snapshot.treeTruncated
        ? ["⚠️ GitHub truncated this repository's file tree, so manifests beyond the cut were not checked."]
        : [];
      const hasErrors = report.problems.some((problem) => problem.severity === "error");
      planWaitsForValidManifests = hasErrors && deps.planner !== undefined;
      if (deps.planner && !hasErrors && report.manifests.length > 0) {
        try {
          plan = await deps.planner(report.manifests, config.config);
          report = { ...report, problems: [...report.problems, ...planProblems(plan, report.manifests)] };
          notes.push(renderPlanMarkdown(plan, { commit: where.headSha, applyHint: APPLY_HINT }).replace(PLAN_COMMENT_MARKER, ""));
        } catch (error) {
          deps.log.warn({ err: error }, "planning against the Portal failed");
          notes.push(`⚠️ The plan is unavailable: the Portal could not be read (${error instanceof Error ? error.message : String(error)}).`);
        }
      } else if (!deps.planner) {
        notes.push("ℹ️ No Pigello Portal is configured for this app, so there is no plan (set `PIGELLO_PORTAL_URL`).");
      }
      return manifestCheckResult(report, snapshot.files.map((file) => file.path), notes);
    },
    (error) => deps.log.error({ err: error, ...where }, "manifest check failed"),
  );

  if (plan && where.pullRequestNumber !== undefined) {
    const body = renderPlanMarkdown(plan, { commit: where.headSha, applyHint: APPLY_HINT });
    const worthSaying = plan.problems.length > 0 || plan.applications.some((application) => application.actions.length > 0);
    await upsertStickyComment(deps.octokit, { owner: where.owner, repo: where.repo, issueNumber: where.pullRequestNumber }, PLAN_COMMENT_MARKER, body, {
      onlyIfExists: !worthSaying,
    });
  }
  if (planWaitsForValidManifests && where.pullRequestNumber !== undefined) {
    // An earlier plan would now be stale: say so rather than leave it standing.
    const body = `${PLAN_COMMENT_MARKER}\n### Pigello Portal plan for \`${where.headSha.slice(0, 7)}\`\n\nNo plan while manifests have errors: the "${MANIFEST_CHECK_NAME}" check lists them.`;
    await upsertStickyComment(deps.octokit, { owner: where.owner, repo: where.repo, issueNumber: where.pullRequestNumber }, PLAN_COMMENT_MARKER, body, { onlyIfExists: true });
  }
  return { result, report, plan };
}

/** Plan problems become errors on the manifest line they are about, like validation errors. */
function planProblems(plan: Plan, manifests: ValidatedManifest[]): Problem[] {
  return plan.problems.map((problem) => {
    const manifest = manifests.find((candidate) => candidate.file === problem.file);
    const position = manifest?.locate(problem.pointer) ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
    return { file: problem.file, pointer: problem.pointer, severity: "error", rule: "portal-would-refuse", message: problem.message, ...position };
  });
}
