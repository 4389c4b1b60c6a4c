import picomatch from "picomatch";
import { MAX_MANIFEST_BYTES, type ManifestFile } from "../manifest/index.js";
import type { BlobCache } from "./blob-cache.js";
import type { InstallationOctokit, RepoCoordinates } from "./octokit.js";

export interface ManifestSnapshot {
  files: ManifestFile[];
  /** GitHub REST calls this read made: one tree read plus one per blob not already cached. */
  githubRequests: number;
  /** GitHub truncates very large recursive trees; manifests beyond the cut would be missed. */
  treeTruncated: boolean;
}

/**
 * Reads every manifest matching `glob` at `ref` with one recursive tree read, then fetches only
 * the blobs the cache does not hold. Oversized blobs are not downloaded: a placeholder of the
 * right size lets validation report them without spending a request.
 */
export async function readManifestsAtRef(
  octokit: InstallationOctokit,
  where: RepoCoordinates & { ref: string; glob: string },
  cache: BlobCache,
): Promise<ManifestSnapshot> {
  const isManifest = picomatch(where.glob, { dot: true });
  const { data: tree } = await octokit.rest.git.getTree({
    owner: where.owner,
    repo: where.repo,
    tree_sha: where.ref,
    recursive: "true",
  });
  let githubRequests = 1;
  const entries = tree.tree.filter(
    (entry): entry is typeof entry & { path: string; sha: string } =>
      entry.type === "blob" && typeof entry.path === "string" && typeof entry.sha === "string" && isManifest(entry.path),
  );

  const files = await Promise.all(
    entries.map(async (entry): Promise<ManifestFile> => {
      if ((entry.size ?? 0) > MAX_MANIFEST_BYTES) {
        return { path: entry.path, content: new Uint8Array(entry.size ?? MAX_MANIFEST_BYTES + 1) };
      }
      const cached = await cache.get(entry.sha);
      if (cached) return { path: entry.path, content: cached };
      githubRequests += 1;
      const { data: blob } = await octokit.rest.git.getBlob({ owner: where.owner, repo: where.repo, file_sha: entry.sha });
      const bytes = new Uint8Array(Buffer.from(blob.content, blob.encoding === "base64" ? "base64" : "utf8"));
      await cache.set(entry.sha, bytes);
      return { path: entry.path, content: bytes };
    }),
  );
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, githubRequests, treeTruncated: tree.truncated };
}
