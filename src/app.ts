import type { ApplicationFunction, Context } from "probot";
import { createMemoryBlobCache, type BlobCache } from "./github/blob-cache.js";
import { checkManifestsAtCommit } from "./github/manifest-check.js";
import { loadRepoConfig } from "./github/repo-config.js";

export interface AppDependencies {
  blobCache?: BlobCache;
}

/** The Probot app: webhook events wired to use cases, nothing else. */
export function createApp(dependencies: AppDependencies = {}): ApplicationFunction {
  const blobCache = dependencies.blobCache ?? createMemoryBlobCache();

  return (app) => {
    const checkCommit = async (context: Context, headSha: string) => {
      await checkManifestsAtCommit(
        { octokit: context.octokit, log: context.log, blobCache, loadConfig: () => loadRepoConfig(context) },
        { ...context.repo(), headSha },
      );
    };

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      await checkCommit(context, context.payload.pull_request.head.sha);
    });
    app.on("check_suite.rerequested", async (context) => {
      await checkCommit(context, context.payload.check_suite.head_sha);
    });
    app.on("check_run.rerequested", async (context) => {
      await checkCommit(context, context.payload.check_run.head_sha);
    });
  };
}
