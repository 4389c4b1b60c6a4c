import type { Problem, ValidationReport } from "../manifest/index.js";
import type { CheckAnnotation, CheckRunResult } from "./check-run.js";

/** Turns a validation report into the check run's conclusion, summary table and annotations. */
export function manifestCheckResult(report: ValidationReport, files: string[], extraNotes: string[] = []): CheckRunResult {
  const errors = report.problems.filter((problem) => problem.severity === "error").length;
  const warnings = report.problems.length - errors;
  const title =
    files.length === 0
      ? "No manifests found"
      : errors > 0
        ? `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(files.length, "manifest")}`
        : `${plural(files.length, "manifest")} valid${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""}`;

  const slugByFile = new Map(report.manifests.map((validated) => [validated.file, validated.manifest.slug]));
  const rows = files.map((file) => {
    const own = report.problems.filter((problem) => problem.file === file);
    const fileErrors = own.filter((problem) => problem.severity === "error").length;
    const status = fileErrors > 0 ? "❌ invalid" : own.length > 0 ? "⚠️ valid, with warnings" : "✅ valid";
    return `| \`${file}\` | ${slugByFile.get(file) ?? "–"} | ${status} | ${fileErrors} | ${own.length - fileErrors} |`;
  });
  const summary = [
    files.length === 0
      ? "No file matched the manifest glob, so there was nothing to check."
      : ["| Manifest | Slug | Status | Errors | Warnings |", "| --- | --- | --- | ---: | ---: |", ...rows].join("\n"),
    ...extraNotes.map((note) => `\n${note}`),
    errors > 0 ? "\nEach problem is annotated on its line in the **Files changed** tab. `npx pigello-portal validate` shows the same problems locally." : "",
  ].join("\n");

  return {
    conclusion: errors > 0 ? "failure" : "success",
    title,
    summary,
    annotations: report.problems.map(problemToAnnotation),
  };
}

export function problemToAnnotation(problem: Problem): CheckAnnotation {
  const sameLine = problem.line === problem.endLine;
  return {
    path: problem.file,
    start_line: problem.line,
    end_line: Math.max(problem.line, problem.endLine),
    // GitHub accepts columns only on single-line annotations.
    ...(sameLine ? { start_column: problem.column, end_column: Math.max(problem.column, problem.endColumn) } : {}),
    annotation_level: problem.severity === "error" ? "failure" : "warning",
    title: `${problem.rule}${problem.pointer ? ` at ${problem.pointer}` : ""}`,
    message: problem.message,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
