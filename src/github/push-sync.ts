import picomatch from "picomatch";
import type { Logger } from "probot";
import { validateManifests } from "../manifest/index.js";
import { renderSyncMarkdown, SYNC_COMMENT_MARKER } from "../reconcile/render.js";
import { syncRepository, type ReconcileDeps, type SyncOutcome } from "../reconcile/sync.js";
import type { BlobCache } from "./blob-cache.js";
import { runCheck, type CheckRunResult } from "./check-run.js";
import { MANIFEST_CHECK_NAME } from "./manifest-check.js";
import type { InstallationOctokit, RepoCoordinates } from "./octokit.js";
import { readManifestsAtRef } from "./manifest-source.js";
import type { RepoConfigResult } from "./repo-config.js";
import { upsertStickyComment } from "./sticky-comment.js";

export const SYNC_CHECK_NAME = "Pigello sync";

/** The parts of a `push` payload a sync needs. */
export interface PushFacts {
  ref: string;
  after: string;
  deleted: boolean;
  defaultBranch: string;
  pusher: string;
  /** Paths the pushed commits added, modified or removed; undefined when GitHub cut the list. */
  touchedPaths: string[] | undefined;
}

export interface PushSyncDeps extends ReconcileDeps {
  octokit: InstallationOctokit;
  log: Logger;
  blobCache: BlobCache;
  loadConfig: () => Promise<RepoConfigResult>;
}

export type PushSyncResult =
  | { synced: true; outcome: SyncOutcome; pullRequest?: number }
  | { synced: false; reason: string };

/**
 * On a push to the repository's own default branch that touches manifests: sync the manifests
 * of that commit to the Portal and comment the result on the merged pull request. Nothing else
 * is ever applied: not other branches, not forks (their pushes never reach this repository).
 */
export async function syncPush(deps: PushSyncDeps, where: RepoCoordinates, push: PushFacts): Promise<PushSyncResult> {
  const branch = push.ref.replace(/^refs\/heads\//, "");
  if (push.deleted || !push.ref.startsWith("refs/heads/") || branch !== push.defaultBranch) {
    return { synced: false, reason: `not the default branch (${push.ref})` };
  }
  const config = await deps.loadConfig();
  if (!config.ok) return { synced: false, reason: config.message };
  const isManifest = picomatch(config.config.manifests, { dot: true });
  if (push.touchedPaths && !push.touchedPaths.some((path) => isManifest(path))) {
    return { synced: false, reason: "no manifest changed" };
  }

  // A "Pigello sync" check run on the commit shows the sync while it runs and its result after,
  // also for a direct push that no pull request will hear about.
  let result: PushSyncResult = { synced: false, reason: "the sync did not finish" };
  let failure: unknown;
  await runCheck(
    deps.octokit,
    {
      ...where,
      headSha: push.after,
      name: SYNC_CHECK_NAME,
      retryHint:
        "Redeliver the push from the GitHub App's Advanced settings, or push again: the sync resumes where it stopped and creates nothing twice.",
    },
    async () => {
      const snapshot = await readManifestsAtRef(deps.octokit, { ...where, ref: push.after, glob: config.config.manifests }, deps.blobCache);
      const report = validateManifests(snapshot.files);
      const pullRequest = await mergedPullRequest(deps.octokit, where, push.after);
      const errors = report.problems.filter((problem) => problem.severity === "error");
      if (errors.length > 0) {
        const reason = `${errors.length} manifest error(s) at ${push.after.slice(0, 7)}; nothing was synced. Fix them in a pull request (the "${MANIFEST_CHECK_NAME}" check shows each one).`;
        if (pullRequest) await comment(deps, where, pullRequest, `${SYNC_COMMENT_MARKER}\n⛔ ${reason}`);
        result = { synced: false, reason };
        return { conclusion: "failure", title: "Nothing synced: the manifests have errors", summary: reason };
      }

      const outcome = await syncRepository(deps, {
        repo: where,
        branch,
        commit: push.after,
        actor: push.pusher,
        ...(pullRequest ? { pullRequest } : {}),
        manifests: report.manifests,
        prune: config.config.prune,
      });
      deps.log.info(
        { commit: push.after, applied: outcome.results.map((applied) => ({ slug: applied.slug, actions: applied.outcomes.length })) },
        "synced manifests to the Portal",
      );
      const summary = renderSyncMarkdown(outcome.results, { commit: push.after, refused: outcome.refused });
      if (pullRequest) await comment(deps, where, pullRequest, summary);
      result = { synced: true, outcome, ...(pullRequest ? { pullRequest } : {}) };
      return syncCheckResult(outcome, summary);
    },
    (error) => {
      failure = error;
      deps.log.error({ err: error, commit: push.after }, "sync failed");
    },
  );
  // The check run says what went wrong; the error still fails the delivery so it is retried.
  if (failure !== undefined) throw failure;
  return result;
}

function syncCheckResult(outcome: SyncOutcome, summary: string): CheckRunResult {
  const outcomes = outcome.results.flatMap((applied) => applied.outcomes);
  const refusedByPortal = outcomes.filter((applied) => !applied.ok).length;
  const written = outcomes.length - refusedByPortal;
  const held = outcome.refused.length;
  if (refusedByPortal > 0 || held > 0) {
    return { conclusion: "failure", title: `${written} Portal change(s) applied, ${refusedByPortal + held} not`, summary };
  }
  return { conclusion: "success", title: written === 0 ? "The Portal already matches" : `${written} Portal change(s) applied`, summary };
}

/** The pull request whose merge produced this commit, if any. */
async function mergedPullRequest(octokit: InstallationOctokit, where: RepoCoordinates, commit: string): Promise<number | undefined> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: where.owner, repo: where.repo, commit_sha: commit });
  const merged = data.find((pull) => pull.merge_commit_sha === commit) ?? data.find((pull) => pull.merged_at);
  return merged?.number;
}

async function comment(deps: PushSyncDeps, where: RepoCoordinates, issueNumber: number, body: string) {
  await upsertStickyComment(deps.octokit, { ...where, issueNumber }, SYNC_COMMENT_MARKER, body);
}

/** Paths the push touched, or undefined when the payload's commit list may be incomplete. */
export function touchedPaths(commits: Array<{ added?: string[]; modified?: string[]; removed?: string[] }> | undefined): string[] | undefined {
  // GitHub lists at most 20 commits in a push payload (and 3,000 files per commit); beyond that, assume anything changed.
  if (!commits || commits.length === 0 || commits.length >= 20) return undefined;
  return commits.flatMap((commit) => [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])]);
}
