import { createHash, generateKeyPairSync } from "node:crypto";
import examples from "@octokit/webhooks-examples";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit, type ApplicationFunction } from "probot";

export const INSTALLATION_ID = 424242;

/** A throwaway RSA key made per test run, so no private key is ever committed. */
export const testPrivateKey = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

export const TEST_WEBHOOK_SECRET = "test-webhook-secret";

export function createTestProbot(app: ApplicationFunction): Probot {
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey,
    secret: TEST_WEBHOOK_SECRET,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    // Retries and throttling would hide an unexpected request behind delays. A function, because
    // Probot layers its own throttle options over plain object defaults.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  void probot.load(app);
  return probot;
}

type Example = { name: string; actions: string[]; examples: Array<Record<string, unknown>> };

/**
 * A genuine webhook payload from @octokit/webhooks-examples: the first of `name` with that action
 * (or matching that predicate). Examples recorded without an installation get one, because an
 * installed app always receives it.
 */
export function genuinePayload<T = Record<string, unknown>>(
  name: string,
  which?: string | ((example: Record<string, unknown>) => boolean),
): T {
  const matches = typeof which === "function" ? which : (example: Record<string, unknown>) => which === undefined || example.action === which;
  const event = (examples as unknown as Example[]).find((candidate) => candidate.name === name);
  const payload = event?.examples.find(matches);
  if (!payload) throw new Error(`no genuine ${name} payload${typeof which === "string" ? ` for ${which}` : ""} in @octokit/webhooks-examples`);
  const copy = structuredClone(payload);
  copy.installation ??= { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0MjQy" };
  return copy as T;
}

export interface PushPayload {
  ref: string;
  after: string;
  deleted: boolean;
  repository: { default_branch: string };
  commits: Array<{ added: string[]; modified: string[]; removed: string[] }>;
}

/** GitHub's genuine push to the default branch, optionally moved to another ref or commit, touching `touched`. */
export function genuineBranchPush(options: { ref?: string; after?: string; touched?: string[] } = {}): PushPayload {
  const push = genuinePayload<PushPayload>("push", (example) => {
    const candidate = example as unknown as PushPayload;
    return candidate.ref === `refs/heads/${candidate.repository.default_branch}`;
  });
  const { touched, ...moved } = options;
  return {
    ...push,
    ...moved,
    commits: touched ? [{ ...push.commits[0]!, added: [], modified: touched, removed: [] }] : push.commits,
  };
}

/**
 * Strict HTTP expectations: any request nobody expected fails the test. A Probot instance that
 * already handled an event has its installation token cached and asks for none.
 */
export function githubApi(options: { installationTokenCached?: boolean } = {}): nock.Scope {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
  const scope = nock("https://api.github.com");
  if (options.installationTokenCached) return scope;
  return scope.post(/\/app\/installations\/\d+\/access_tokens/).reply(201, {
    token: "ghs_test",
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    permissions: { checks: "write", contents: "read", metadata: "read", pull_requests: "write" },
  });
}

/** The SHA git gives a blob with this content, as GitHub's tree API reports it. */
export function gitBlobSha(content: string | Uint8Array): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
  return createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
}

export interface RepoFile {
  path: string;
  content: string | Uint8Array;
}

/** Expects one recursive tree read of `ref` listing `files` (plus unrelated files a real repo has). */
export function expectTree(scope: nock.Scope, repo: string, ref: string, files: RepoFile[]): nock.Scope {
  return scope.get(`/repos/${repo}/git/trees/${ref}`).query({ recursive: "true" }).reply(200, {
    sha: ref,
    truncated: false,
    tree: [
      { path: "README.md", type: "blob", sha: gitBlobSha("readme"), size: 6, mode: "100644" },
      { path: ".pigello", type: "tree", sha: "1".repeat(40), mode: "040000" },
      ...files.map((file) => ({
        path: file.path,
        type: "blob",
        mode: "100644",
        sha: gitBlobSha(file.content),
        size: typeof file.content === "string" ? Buffer.byteLength(file.content) : file.content.byteLength,
      })),
    ],
  });
}

/** Expects one blob read per file. */
export function expectBlobs(scope: nock.Scope, repo: string, files: RepoFile[]): nock.Scope {
  for (const file of files) {
    const sha = gitBlobSha(file.content);
    scope.get(`/repos/${repo}/git/blobs/${sha}`).reply(200, {
      sha,
      encoding: "base64",
      content: Buffer.from(file.content).toString("base64"),
      size: Buffer.from(file.content).byteLength,
    });
  }
  return scope;
}

export interface RecordedCheckRun {
  name?: string;
  headSha?: string;
  conclusion?: string;
  title?: string;
  summary?: string;
}

/** Expects one check run to be opened and then completed in one update; records what it said. */
export function expectCompletedCheckRun(scope: nock.Scope, repo: string, id: number): RecordedCheckRun {
  const seen: RecordedCheckRun = {};
  scope
    .post(`/repos/${repo}/check-runs`, (body) => ((seen.name = body.name), (seen.headSha = body.head_sha), true))
    .reply(201, { id })
    .patch(`/repos/${repo}/check-runs/${id}`, (body) => {
      Object.assign(seen, { conclusion: body.conclusion, title: body.output?.title, summary: body.output?.summary });
      return true;
    })
    .reply(200, { id });
  return seen;
}

const CONFIG_PATH = encodeURIComponent(".github/pigello.yml");

/** `.github/pigello.yml` of `repo` answers with this YAML, as GitHub's raw contents API does. */
export function expectRepoConfig(scope: nock.Scope, repo: string, yaml: string): nock.Scope {
  return scope.get(`/repos/${repo}/contents/${CONFIG_PATH}`).reply(200, yaml, { "content-type": "text/plain; charset=utf-8" });
}

/** No `.github/pigello.yml` in the repository nor in the owner's `.github` repository. */
export function expectNoRepoConfig(scope: nock.Scope, repo: string): nock.Scope {
  const owner = repo.split("/")[0];
  return scope
    .get(`/repos/${repo}/contents/${CONFIG_PATH}`)
    .reply(404, { message: "Not Found" })
    .get(`/repos/${owner}/.github/contents/${CONFIG_PATH}`)
    .reply(404, { message: "Not Found" });
}
