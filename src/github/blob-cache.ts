import type { StateStore } from "../store/port.js";
import { LRUCache } from "lru-cache";

/**
 * Blob contents keyed by git blob SHA. A blob SHA names its bytes forever, so cached entries
 * never go stale; this is what keeps GitHub reads per event proportional to changed manifests.
 */
export interface BlobCache {
  get(sha: string): Promise<Uint8Array | undefined>;
  set(sha: string, bytes: Uint8Array): Promise<void>;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** An in-process cache bounded by total bytes, optionally backed by a slower shared one. */
export function createMemoryBlobCache(options: { maxBytes?: number; backing?: BlobCache } = {}): BlobCache {
  const memory = new LRUCache<string, Uint8Array>({
    maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
    sizeCalculation: (bytes) => Math.max(1, bytes.byteLength),
  });
  return {
    async get(sha) {
      const hit = memory.get(sha);
      if (hit || !options.backing) return hit;
      const shared = await options.backing.get(sha);
      if (shared) memory.set(sha, shared);
      return shared;
    },
    async set(sha, bytes) {
      memory.set(sha, bytes);
      await options.backing?.set(sha, bytes);
    },
  };
}

/** How long the shared cache keeps a manifest blob it has not been asked to store again. */
const SHARED_BLOB_TTL_SECONDS = 30 * 24 * 3600;

/** The state store as the shared cache, so a cold Lambda does not read every manifest from GitHub again. */
export function storeBlobCache(store: Pick<StateStore, "getBlob" | "putBlob">): BlobCache {
  return {
    get: (sha) => store.getBlob(sha),
    set: (sha, bytes) => store.putBlob(sha, bytes, SHARED_BLOB_TTL_SECONDS),
  };
}
