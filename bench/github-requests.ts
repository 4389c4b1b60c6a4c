import nock from "nock";
import { createApp } from "../src/app.js";
import { createMemoryBlobCache } from "../src/github/blob-cache.js";
import {
  createTestProbot,
  expectBlobs,
  expectNoRepoConfig,
  expectTree,
  genuinePayload,
  githubApi,
  type RepoFile,
} from "../test/helpers/github.js";

export interface PullRequestCost {
  manifests: number;
  /** First event of a process: every manifest blob is read once. */
  coldRequests: number;
  /** A later event where one manifest changed: blobs already seen are served from the cache. */
  warmRequests: number;
}

function manifestFile(index: number, revision = 0): RepoFile {
  return {
    path: `.pigello/apps/app-${index}.yml`,
    content: `schemaVersion: 1\nname: App ${index}\ndescription: Revision ${revision}.\nservices:\n  - key: sync\n    name: Sync\n    description: Syncs.\n    activationLevel: company\n    version: 1\n    permissions: [accounts.company:read]\n`,
  };
}

/** Counts every GitHub request one pull_request event costs, through the real app and Octokit. */
async function countRequests(app: ReturnType<typeof createApp>, files: RepoFile[], changed: RepoFile[]): Promise<number> {
  const payload = genuinePayload<{ pull_request: { head: { sha: string } }; repository: { full_name: string } }>("pull_request", "opened");
  const repo = payload.repository.full_name;
  let requests = 0;
  const count = () => (requests += 1);
  nock.cleanAll();
  const api = githubApi();
  api.on("request", count);
  api.post(`/repos/${repo}/check-runs`).reply(201, { id: 1 }).patch(`/repos/${repo}/check-runs/1`).reply(200, {});
  expectNoRepoConfig(api, repo);
  expectTree(api, repo, payload.pull_request.head.sha, files);
  expectBlobs(api, repo, changed);
  await createTestProbot(app).receive({ id: "bench", name: "pull_request", payload: payload as never });
  const pending = nock.pendingMocks();
  if (pending.length > 0) throw new Error(`expected requests not made: ${pending.join(", ")}`);
  nock.cleanAll();
  return requests;
}

export async function benchPullRequestCost(sizes = [1, 20, 200]): Promise<PullRequestCost[]> {
  const results: PullRequestCost[] = [];
  for (const size of sizes) {
    const app = createApp({ blobCache: createMemoryBlobCache() });
    const files = Array.from({ length: size }, (_, index) => manifestFile(index));
    const coldRequests = await countRequests(app, files, files);
    const edited = manifestFile(0, 1);
    const warmRequests = await countRequests(app, [edited, ...files.slice(1)], [edited]);
    results.push({ manifests: size, coldRequests, warmRequests });
  }
  return results;
}
