/**
 * The state port: everything the bot remembers between webhook deliveries.
 * Domain code depends on this interface only; the DynamoDB adapter (dynamo.ts) is the one
 * implementation, run against real DynamoDB on Lambda and against embedded dynalite locally.
 */

/** A GitHub repository. Stores key it as lowercase "owner/repo" because GitHub names are case-insensitive. */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface ServiceRecord {
  serviceId: string;
  /** version number (as written in the manifest) → Portal version id */
  versions: Record<string, string>;
}

/** What the bot knows about one application it manages: the Portal ids behind a manifest slug. */
export interface ApplicationRecord {
  repo: RepoRef;
  slug: string;
  applicationId: string;
  /** service key (from the manifest) → Portal ids */
  services: Record<string, ServiceRecord>;
  lastAppliedCommit?: string;
  updatedAt: string;
}

export interface LockHolder {
  /** Human-readable, shown to whoever is refused the lock, e.g. "sync by @octocat for abc1234". */
  holder: string;
  /** The command that releases or overrides the lock, if any, e.g. "/pigello unlock". */
  command?: string;
}

export type LockResult =
  | { acquired: true; release(): Promise<void>; lockId: string }
  | { acquired: false; heldBy: LockHolder; expiresAt: string };

export interface AuditEntry {
  repo: RepoRef;
  slug: string;
  actor: string;
  /** e.g. "create-application" */
  action: string;
  /** Portal id the action touched */
  target?: string;
  commit: string;
  pullRequest?: number;
  /** ISO 8601 time of the action; entries are ordered by it. */
  at: string;
  detail?: Record<string, string | number | boolean>;
}

/**
 * A Portal create the bot is about to make, written before the call: if the answer is lost, the
 * next attempt replays exactly this request (same key, same body) and gets the same object back.
 */
export interface PendingCreate {
  idempotencyKey: string;
  body: unknown;
  startedAt: string;
}

export interface ListAuditOptions {
  slug?: string;
  limit?: number;
}

export interface StateStore {
  getApplication(repo: RepoRef, slug: string): Promise<ApplicationRecord | undefined>;
  /** All applications of a repository (one Query, paginated internally). */
  listApplications(repo: RepoRef): Promise<ApplicationRecord[]>;
  /** Creates or replaces the record for (repo, slug). */
  putApplication(record: ApplicationRecord): Promise<void>;
  getLastAppliedCommit(repo: RepoRef, branch: string): Promise<string | undefined>;
  setLastAppliedCommit(repo: RepoRef, branch: string, sha: string): Promise<void>;
  /**
   * Takes the per-application lease if it is free or expired; exactly one of any number of
   * concurrent callers wins. `release()` removes the lease only while it is still this one.
   */
  acquireLock(repo: RepoRef, slug: string, holder: LockHolder, leaseMs: number): Promise<LockResult>;
  /** True the first time a delivery id is seen (within its TTL), false on redelivery. */
  rememberDelivery(deliveryId: string, ttlSeconds: number): Promise<boolean>;
  /** The create intent recorded for one object of an application (`scope` names the object). */
  getPendingCreate(repo: RepoRef, slug: string, scope: string): Promise<PendingCreate | undefined>;
  putPendingCreate(repo: RepoRef, slug: string, scope: string, pending: PendingCreate): Promise<void>;
  /** Called once the created object's id is stored. */
  deletePendingCreate(repo: RepoRef, slug: string, scope: string): Promise<void>;
  /** Manifest bytes by git blob SHA (content-addressed, so never stale); undefined when not cached. */
  getBlob(sha: string): Promise<Uint8Array | undefined>;
  /** Caches manifest bytes by git blob SHA for `ttlSeconds`. */
  putBlob(sha: string, bytes: Uint8Array, ttlSeconds: number): Promise<void>;
  /** Forgets a delivery whose handling failed, so GitHub's redelivery of it is handled again. */
  forgetDelivery(deliveryId: string): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; optionally only one application's entries, at most `limit` of them. */
  listAudit(repo: RepoRef, options?: ListAuditOptions): Promise<AuditEntry[]>;
}

export function repoKey(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`.toLowerCase();
}

export interface WaitForLockOptions {
  timeoutMs: number;
  pollMs: number;
  /** Injectable for tests; defaults to real time. */
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries `acquireLock` every `pollMs` until it succeeds or `timeoutMs` has passed; on giving up
 * it returns the last refusal, so the caller can name the holder in its reply.
 */
export async function waitForLock(
  store: StateStore,
  repo: RepoRef,
  slug: string,
  holder: LockHolder,
  leaseMs: number,
  { timeoutMs, pollMs, nowMs = Date.now, sleep = realSleep }: WaitForLockOptions,
): Promise<LockResult> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const result = await store.acquireLock(repo, slug, holder, leaseMs);
    if (result.acquired) return result;
    const remaining = deadline - nowMs();
    if (remaining <= 0) return result;
    await sleep(Math.min(pollMs, remaining));
  }
}
