import type { InstallationOctokit, RepoCoordinates } from "./octokit.js";

/** GitHub accepts at most 50 annotations per check-run create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub rejects check-run summaries longer than this. */
export const MAX_SUMMARY_CHARS = 65_535;

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export interface CheckRunResult {
  conclusion: "success" | "failure" | "neutral" | "action_required";
  title: string;
  summary: string;
  annotations?: CheckAnnotation[];
}

/**
 * Opens an in-progress check run, runs `work`, and always closes the run with a conclusion,
 * also when `work` throws: a check stuck "in progress" blocks merges with no explanation.
 * Returns the number of GitHub requests it made.
 */
export async function runCheck(
  octokit: InstallationOctokit,
  where: RepoCoordinates & { headSha: string; name: string; retryHint: string },
  work: () => Promise<CheckRunResult>,
  onError: (error: unknown) => void,
): Promise<{ result: CheckRunResult; githubRequests: number }> {
  const { data: created } = await octokit.rest.checks.create({
    owner: where.owner,
    repo: where.repo,
    name: where.name,
    head_sha: where.headSha,
    status: "in_progress",
    started_at: new Date().toISOString(),
  });
  let githubRequests = 1;

  let result: CheckRunResult;
  try {
    result = await work();
  } catch (error) {
    onError(error);
    result = {
      conclusion: "failure",
      title: `${where.name} could not finish`,
      summary: [
        "Something went wrong before this check could finish; whatever it reports was not completed.",
        "",
        `> ${describeError(error)}`,
        "",
        where.retryHint,
      ].join("\n"),
    };
  }

  const annotations = result.annotations ?? [];
  const batches = chunk(annotations, ANNOTATIONS_PER_REQUEST);
  const output = { title: result.title, summary: truncate(result.summary, MAX_SUMMARY_CHARS) };
  // Each update appends its annotations; the conclusion goes with the last batch.
  for (let index = 0; index < Math.max(1, batches.length); index += 1) {
    const isLast = index >= batches.length - 1;
    await octokit.rest.checks.update({
      owner: where.owner,
      repo: where.repo,
      check_run_id: created.id,
      output: { ...output, annotations: batches[index] ?? [] },
      ...(isLast ? { status: "completed" as const, conclusion: result.conclusion, completed_at: new Date().toISOString() } : {}),
    });
    githubRequests += 1;
  }
  return { result, githubRequests };
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = "\n\n…(truncated: the annotations list every problem)";
  return text.slice(0, max - note.length) + note;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}
