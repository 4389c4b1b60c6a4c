import type { ApplicationFunction, Context } from "probot";
import { createMemoryBlobCache, storeBlobCache, type BlobCache } from "./github/blob-cache.js";
import { checkManifestsAtCommit, type Planner } from "./github/manifest-check.js";
import { SYNC_CHECK_NAME, syncPush, touchedPaths } from "./github/push-sync.js";
import { loadRepoConfig } from "./github/repo-config.js";
import type { PortalApi } from "./portal/client.js";
import { planRepository, type ReconcileDeps } from "./reconcile/sync.js";
import type { StateStore } from "./store/port.js";

export interface AppDependencies {
  /** Default: in memory, backed by the state store when there is one. */
  blobCache?: BlobCache;
  store?: StateStore;
  /** Without a Portal (or a store) the app validates but neither plans nor syncs. */
  portal?: PortalApi;
}

/** How long a webhook delivery id is remembered to drop GitHub's redeliveries of a handled push. */
const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

/** The Probot app: webhook events wired to use cases, nothing else. */
export function createApp(dependencies: AppDependencies = {}): ApplicationFunction {
  const { store, portal } = dependencies;
  const blobCache = dependencies.blobCache ?? createMemoryBlobCache(store ? { backing: storeBlobCache(store) } : {});
  const reconcile: ReconcileDeps | undefined = store && portal ? { store, portal } : undefined;

  return (app) => {
    const checkCommit = async (context: Context, headSha: string, pullRequestNumber?: number) => {
      const repo = context.repo();
      const planner: Planner | undefined = reconcile
        ? (manifests, config) => planRepository(reconcile, { repo, manifests, prune: config.prune })
        : undefined;
      await checkManifestsAtCommit(
        { octokit: context.octokit, log: context.log, blobCache, loadConfig: () => loadRepoConfig(context), ...(planner ? { planner } : {}) },
        { ...repo, headSha, ...(pullRequestNumber !== undefined ? { pullRequestNumber } : {}) },
      );
    };

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      const { pull_request: pullRequest } = context.payload;
      await checkCommit(context, pullRequest.head.sha, pullRequest.number);
    });
    app.on("check_suite.rerequested", async (context) => {
      const suite = context.payload.check_suite;
      await checkCommit(context, suite.head_sha, suite.pull_requests[0]?.number);
    });
    app.on("check_run.rerequested", async (context) => {
      const run = context.payload.check_run;
      // A sync is retried by redelivering its push; re-running it from an old commit could undo newer ones.
      if (run.name === SYNC_CHECK_NAME) {
        context.log.info({ checkRun: run.id }, "a re-run of a sync check is not a sync; redeliver the push instead");
        return;
      }
      await checkCommit(context, run.head_sha, run.pull_requests[0]?.number);
    });

    app.on("push", async (context) => {
      if (!reconcile) return;
      if (!(await reconcile.store.rememberDelivery(context.id, DELIVERY_TTL_SECONDS))) {
        context.log.info({ delivery: context.id }, "push already handled; ignoring the redelivery");
        return;
      }
      const { payload } = context;
      try {
        await syncPush(
          { ...reconcile, octokit: context.octokit, log: context.log, blobCache, loadConfig: () => loadRepoConfig(context) },
          context.repo(),
          {
            ref: payload.ref,
            after: payload.after,
            deleted: payload.deleted,
            defaultBranch: payload.repository.default_branch ?? "main",
            pusher: payload.sender?.login ?? payload.pusher.name,
            touchedPaths: touchedPaths(payload.commits),
          },
        );
      } catch (error) {
        // Let GitHub's redelivery of this push try again.
        await reconcile.store.forgetDelivery(context.id);
        throw error;
      }
    });
  };
}
