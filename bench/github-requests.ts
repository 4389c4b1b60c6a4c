import nock from "nock";
import { createApp } from "../src/app.js";
import { createDynamoStore, ensureTable } from "../src/store/dynamo.js";
import { startLocalDynamo } from "../src/store/local.js";
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
  /** The very first event: every manifest blob is read once. */
  coldRequests: number;
  /** A new process (a cold Lambda) with the shared store cache warm, one manifest changed. */
  newProcessRequests: number;
  /** A later event in the same process, one manifest changed. */
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
  const dynamo = await startLocalDynamo();
  try {
    const results: PullRequestCost[] = [];
    for (const size of sizes) {
      const tableName = `bench-blobs-${size}`;
      await ensureTable(dynamo.client, tableName);
      const store = createDynamoStore({ client: dynamo.client, tableName });
      const files = Array.from({ length: size }, (_, index) => manifestFile(index));
      const coldRequests = await countRequests(createApp({ store }), files, files);
      const newProcess = createApp({ store });
      const firstEdit = manifestFile(0, 1);
      const newProcessRequests = await countRequests(newProcess, [firstEdit, ...files.slice(1)], [firstEdit]);
      const secondEdit = manifestFile(0, 2);
      const warmRequests = await countRequests(newProcess, [secondEdit, ...files.slice(1)], [secondEdit]);
      results.push({ manifests: size, coldRequests, newProcessRequests, warmRequests });
    }
    return results;
  } finally {
    await dynamo.stop();
  }
}
