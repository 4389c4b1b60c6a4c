import type { ActionOutcome, ApplyResult } from "./apply.js";
import { planCounts, type ApplicationPlan, type ApplicationStatus, type FieldChange, type Plan, type PlanAction } from "./plan.js";

/** Hidden marker that finds the one sticky plan comment on a pull request. */
export const PLAN_COMMENT_MARKER = "<!-- pigello-portal-bot:plan -->";
export const SYNC_COMMENT_MARKER = "<!-- pigello-portal-bot:sync -->";
/** GitHub refuses comments and check-run summaries longer than this. */
export const GITHUB_TEXT_LIMIT = 65_536;

const STATUS_LABEL: Record<ApplicationStatus, string> = {
  create: "to create",
  change: "to change",
  unchanged: "unchanged",
  "left-alone": "left alone",
  blocked: "blocked",
};
const STATUS_ICON: Record<ApplicationStatus, string> = { create: "🟢", change: "🟡", unchanged: "⚪", "left-alone": "⚪", blocked: "⛔" };

/** One line per action, in `diff` syntax: `+` adds, `~` changes, `-` removes or deprecates. */
export function describeAction(action: PlanAction): string {
  switch (action.type) {
    case "create-application":
      return `+ application "${action.body.name}" (${action.body.visibility ?? "private"}, draft)`;
    case "update-application":
      return action.changes.map((change) => `~ application ${describeChange(change)}`).join("\n");
    case "update-sharing":
      return [...action.share.map((account) => `+ share with account ${account}`), ...action.unshare.map((account) => `- unshare account ${account}`)].join("\n");
    case "create-service":
      return `+ service ${action.serviceKey} "${action.body.name}" (activation level: ${action.body.activation_level})`;
    case "update-service":
      return action.changes.map((change) => `~ service ${action.serviceKey} ${describeChange(change)}`).join("\n");
    case "create-version":
      return `+ service ${action.serviceKey} version ${action.body.version}: ${action.body.permissions.join(", ")} (${action.reason})`;
    case "update-version":
      return action.changes.map((change) => `~ service ${action.serviceKey} version ${action.version} (in place, draft) ${describeChange(change)}`).join("\n");
    case "deprecate-version":
      return `- deprecate service ${action.serviceKey} version ${action.version} (${action.reason})`;
  }
}

function describeChange(change: FieldChange): string {
  return `${change.field}: ${short(change.from)} → ${short(change.to)}`;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function planFooter(plan: Plan): string {
  const counts = planCounts(plan);
  const total = plan.applications.length;
  const parts = (Object.keys(STATUS_LABEL) as ApplicationStatus[])
    .filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${STATUS_LABEL[status]}`);
  return `${total} application${total === 1 ? "" : "s"}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
}

function applicationHeadline(application: ApplicationPlan): string {
  // HTML, not Markdown: this line also goes inside <summary>, where backticks stay literal.
  const where = application.applicationId ? ` · <code>${application.applicationId}</code>` : "";
  const draft = application.applicationId ? (application.isDraft ? " · draft" : " · published") : "";
  return `${STATUS_ICON[application.status]} <b>${escapeHtml(application.slug)}</b> — ${STATUS_LABEL[application.status]}${draft}${where}`;
}

/** The plan as Markdown for the sticky pull-request comment and the check run, always within GitHub's limit. */
export function renderPlanMarkdown(plan: Plan, options: { commit: string; applyHint: string }): string {
  const header = `${PLAN_COMMENT_MARKER}\n### Pigello Portal plan for \`${options.commit.slice(0, 7)}\``;
  const problems = plan.problems.map((problem) => `- ⛔ \`${problem.file}\` (${problem.pointer}): ${problem.message}`);
  const footer = [`**${planFooter(plan)}.**`, options.applyHint].join(" ");
  const detailed = plan.applications.map((application) => detailedSection(application));
  const compact = plan.applications.map((application) => `- ${applicationHeadline(application)} (${application.actions.length} actions)`);

  for (const sections of [detailed, compact]) {
    const body = [header, problems.length > 0 ? `\n**The Portal would refuse these manifests as written:**\n${problems.join("\n")}` : "", "", ...sections, "", footer].join("\n");
    if (body.length <= GITHUB_TEXT_LIMIT) return body;
  }
  // Even one line per application is too long: list as many as fit and count the rest.
  const kept: string[] = [];
  let length = header.length + footer.length + 200;
  for (const line of compact) {
    if (length + line.length + 1 > GITHUB_TEXT_LIMIT) break;
    kept.push(line);
    length += line.length + 1;
  }
  return [header, "", ...kept, `- …and ${compact.length - kept.length} more applications`, "", footer].join("\n");
}

function detailedSection(application: ApplicationPlan): string {
  const headline = applicationHeadline(application);
  if (application.actions.length === 0 && application.notes.length === 0) return `${headline}\n`;
  const diff = application.actions.map(describeAction).filter(Boolean).join("\n");
  return [
    `<details${application.status === "unchanged" ? "" : " open"}><summary>${headline}</summary>`,
    "",
    diff ? ["```diff", diff, "```"].join("\n") : "",
    ...application.notes.map((note) => `> ${note}`),
    "</details>",
    "",
  ].join("\n");
}

/** The plan as plain text for the command line. */
export function renderPlanText(plan: Plan): string {
  const lines: string[] = [];
  for (const problem of plan.problems) lines.push(`✖ ${problem.file} ${problem.pointer}: ${problem.message}`);
  for (const application of plan.applications) {
    const id = application.applicationId ? ` (${application.applicationId}${application.isDraft ? ", draft" : ", published"})` : "";
    lines.push(`${application.slug}: ${STATUS_LABEL[application.status]}${id}`);
    for (const action of application.actions) lines.push(...describeAction(action).split("\n").map((line) => `  ${line}`));
    for (const note of application.notes) lines.push(`  note: ${note}`);
  }
  lines.push("", `${planFooter(plan)}.`);
  return lines.join("\n");
}

/** The result of a sync, for the comment on the merged pull request. */
export function renderSyncMarkdown(results: ApplyResult[], options: { commit: string; refused: string[] }): string {
  const lines = [SYNC_COMMENT_MARKER, `### Pigello Portal sync of \`${options.commit.slice(0, 7)}\``, ""];
  for (const result of results) {
    const failed = result.outcomes.find((outcome) => !outcome.ok);
    const icon = failed ? "⛔" : result.outcomes.length > 0 ? "✅" : "⚪";
    const id = result.applicationId ? ` · \`${result.applicationId}\`` : "";
    lines.push(`${icon} **${escapeHtml(result.slug)}**${id}${result.outcomes.length === 0 ? " — nothing to do" : ""}`);
    for (const outcome of result.outcomes) lines.push(`  - ${outcomeLine(outcome)}`);
    if (result.skipped.length > 0) lines.push(`  - ⏭️ ${result.skipped.length} later step(s) not attempted; the next sync retries them.`);
  }
  for (const reason of options.refused) lines.push(`- ⛔ ${reason}`);
  const written = results.reduce((sum, result) => sum + result.outcomes.filter((outcome) => outcome.ok).length, 0);
  lines.push("", `**${written} Portal change${written === 1 ? "" : "s"} applied.** Applications stay drafts until Pigello reviews them.`);
  return lines.join("\n").slice(0, GITHUB_TEXT_LIMIT);
}

function outcomeLine(outcome: ActionOutcome): string {
  const what = describeAction(outcome.action).split("\n").join("; ");
  if (!outcome.ok) return `⛔ \`${what}\` — refused: ${outcome.error ?? "unknown error"}`;
  return `\`${what}\`${outcome.portalId ? ` → \`${outcome.portalId}\`` : ""}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[character] ?? character);
}
