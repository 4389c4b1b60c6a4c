import { codeFrameColumns } from "@babel/code-frame";
import type { ManifestFile, Problem, ValidationReport } from "./types.js";

export interface TextFormatOptions {
  /** Colour the code frames (only for a TTY). Default: false. */
  color?: boolean;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function countBySeverity(problems: readonly Problem[]): { errors: number; warnings: number } {
  const errors = problems.filter((problem) => problem.severity === "error").length;
  return { errors, warnings: problems.length - errors };
}

function sourceText(content: string | Uint8Array): string {
  // Lenient on purpose: invalid UTF-8 is already a reported problem; the frame just shows what it can.
  const text = typeof content === "string" ? content : new TextDecoder("utf-8").decode(content);
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/**
 * Human-readable report: problems grouped per file, each as `file:line:col severity message (rule)`
 * with a code frame, then a summary such as `2 errors, 1 warning in 3 files`.
 */
export function formatText(report: ValidationReport, sources: readonly ManifestFile[], options: TextFormatOptions = {}): string {
  const textByFile = new Map(sources.map((source) => [source.path, source.content] as const));
  const problemsByFile = new Map<string, Problem[]>();
  for (const problem of report.problems) {
    const group = problemsByFile.get(problem.file) ?? [];
    group.push(problem);
    problemsByFile.set(problem.file, group);
  }
  const blocks: string[] = [];
  for (const [file, problems] of problemsByFile) {
    const content = textByFile.get(file);
    const showFrame = content !== undefined && !problems.some((problem) => problem.rule === "file-too-large");
    const text = showFrame ? sourceText(content) : "";
    const entries = problems.map((problem) => {
      const heading = `${problem.file}:${problem.line}:${problem.column} ${problem.severity} ${problem.message} (${problem.rule})`;
      if (!showFrame || text === "") return heading;
      const end =
        problem.endLine > problem.line || (problem.endLine === problem.line && problem.endColumn > problem.column)
          ? { line: problem.endLine, column: problem.endColumn }
          : undefined;
      const frame = codeFrameColumns(
        text,
        { start: { line: problem.line, column: problem.column }, ...(end ? { end } : {}) },
        { highlightCode: options.color === true, forceColor: options.color === true, linesAbove: 1, linesBelow: 1 },
      );
      return `${heading}\n${frame}`;
    });
    blocks.push(entries.join("\n\n"));
  }
  const files = new Set([...sources.map((source) => source.path), ...problemsByFile.keys()]).size;
  blocks.push(formatSummary(report, files));
  return `${blocks.join("\n\n")}\n`;
}

/** `2 errors, 1 warning in 3 files`. */
export function formatSummary(report: ValidationReport, fileCount: number): string {
  const { errors, warnings } = countBySeverity(report.problems);
  return `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(fileCount, "file")}`;
}

/** Escaping for the message part of a workflow command. */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escaping for a property value of a workflow command. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** GitHub Actions workflow commands (`::error file=...::message`), one line per problem. */
export function formatGithub(report: ValidationReport): string {
  return report.problems
    .map((problem) => {
      const properties = [
        `file=${escapeProperty(problem.file)}`,
        `line=${problem.line}`,
        `col=${problem.column}`,
        `endLine=${problem.endLine}`,
        `endColumn=${problem.endColumn}`,
        `title=${escapeProperty(`pigello-portal ${problem.rule}`)}`,
      ].join(",");
      return `::${problem.severity} ${properties}::${escapeData(problem.message)}\n`;
    })
    .join("");
}

/** Stable machine-readable report. */
export function formatJson(report: ValidationReport): string {
  const { errors, warnings } = countBySeverity(report.problems);
  const body = {
    valid: errors === 0,
    errors,
    warnings,
    problems: report.problems.map((problem) => ({
      file: problem.file,
      line: problem.line,
      column: problem.column,
      endLine: problem.endLine,
      endColumn: problem.endColumn,
      pointer: problem.pointer,
      severity: problem.severity,
      rule: problem.rule,
      message: problem.message,
    })),
    manifests: report.manifests.map((validated) => ({ file: validated.file, slug: validated.manifest.slug })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
