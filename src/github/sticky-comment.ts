import type { InstallationOctokit, RepoCoordinates } from "./octokit.js";

export type StickyOutcome = "created" | "updated" | "unchanged" | "skipped";

/**
 * Keeps one comment per marker on an issue or pull request: found by its hidden marker among
 * the bot's own comments and edited in place, so a pull request never collects a second one.
 * With `onlyIfExists`, a missing comment is not created (quiet when there is nothing to say).
 */
export async function upsertStickyComment(
  octokit: InstallationOctokit,
  where: RepoCoordinates & { issueNumber: number },
  marker: string,
  body: string,
  options: { onlyIfExists?: boolean } = {},
): Promise<StickyOutcome> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: where.owner,
    repo: where.repo,
    issue_number: where.issueNumber,
    per_page: 100,
  });
  const existing = comments.find((comment) => comment.user?.type === "Bot" && comment.body?.includes(marker));
  if (existing) {
    if (existing.body === body) return "unchanged";
    await octokit.rest.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: existing.id, body });
    return "updated";
  }
  if (options.onlyIfExists) return "skipped";
  await octokit.rest.issues.createComment({ owner: where.owner, repo: where.repo, issue_number: where.issueNumber, body });
  return "created";
}
