// `pigello-portal`: validate manifests and print the JSON Schema, for people, pre-commit and CI.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { globSync } from "tinyglobby";
import { parse as parseYaml } from "yaml";
import { formatGithub, formatJson, formatSummary, formatText } from "./manifest/format.js";
import { renderManifestJsonSchema } from "./manifest/json-schema.js";
import { DEFAULT_MANIFEST_GLOB, REPO_CONFIG_PATH, repoConfigSchema } from "./manifest/repo-config.js";
import { MAX_MANIFEST_BYTES } from "./manifest/types.js";
import type { ManifestFile } from "./manifest/types.js";
import { validateManifests } from "./manifest/validate.js";
import type { RepoConfig } from "./manifest/repo-config.js";
import { createPortalClient, type PortalApi } from "./portal/client.js";
import { createPortalFromEnv } from "./portal/from-env.js";
import { planReconcile } from "./reconcile/plan.js";
import { renderPlanText } from "./reconcile/render.js";
import { createStoreFromEnv } from "./store/local.js";

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  cwd: string;
  env: Record<string, string | undefined>;
}

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

const OUTPUT_FORMATS = ["text", "github", "json"] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

class UsageError extends Error {}

interface ParsedArgs {
  positionals: string[];
  format?: string;
  repo?: string;
  help: boolean;
}

interface Command {
  usage: string;
  summary: string;
  /** Flags the command accepts besides --help. */
  flags: readonly string[];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  validate: {
    usage: "pigello-portal validate [files, directories or globs...] [--format text|github|json]",
    summary: `Check manifests (default: the \`manifests\` glob of ${REPO_CONFIG_PATH}, else ${DEFAULT_MANIFEST_GLOB}).`,
    flags: ["--format"],
    run: runValidate,
  },
  schema: {
    usage: "pigello-portal schema",
    summary: "Print the manifest JSON Schema (draft 2020-12).",
    flags: [],
    run: async (_args, io) => {
      io.stdout.write(renderManifestJsonSchema());
      return EXIT_OK;
    },
  },
  plan: {
    usage: "pigello-portal plan [files, directories or globs...] [--repo owner/name]",
    summary:
      "Show what a sync would change in the Portal at PIGELLO_PORTAL_URL (an in-process Portal emulator when unset). With --repo, applications the bot already manages for that repository are matched through its state store.",
    flags: ["--repo"],
    run: runPlan,
  },
  help: {
    usage: "pigello-portal help",
    summary: "Show this help.",
    flags: [],
    run: async (_args, io) => {
      io.stdout.write(usageText());
      return EXIT_OK;
    },
  },
};

function usageText(): string {
  const lines = [
    "Usage: pigello-portal <command> [options]",
    "",
    "Commands:",
    ...Object.values(COMMANDS).map((command) => `  ${command.usage}\n      ${command.summary}`),
    "",
    "Options:",
    "  --format text|github|json  Output format of validate (default: text; github emits workflow annotations).",
    "  --help, -h                 Show this help.",
    "  --version                  Print the version.",
    "",
    "Exit codes: 0 valid (warnings allowed), 1 invalid manifests, 2 usage error.",
    "",
  ];
  return lines.join("\n");
}

function readVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
  return packageJson.version ?? "unknown";
}

function parseArgs(argv: readonly string[], allowedFlags: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], help: false };
  for (let position = 0; position < argv.length; position += 1) {
    const argument = argv[position] ?? "";
    if (argument === "--help" || argument === "-h") {
      parsed.help = true;
    } else if (argument === "--format" || argument.startsWith("--format=")) {
      if (!allowedFlags.includes("--format")) throw new UsageError("`--format` is only accepted by `validate`.");
      const value = argument === "--format" ? argv[++position] : argument.slice("--format=".length);
      if (value === undefined || value === "") throw new UsageError("`--format` needs a value: text, github or json.");
      parsed.format = value;
    } else if (argument === "--repo" || argument.startsWith("--repo=")) {
      if (!allowedFlags.includes("--repo")) throw new UsageError("`--repo` is only accepted by `plan`.");
      const value = argument === "--repo" ? argv[++position] : argument.slice("--repo=".length);
      if (value === undefined || !/^[\w.-]+\/[\w.-]+$/.test(value)) throw new UsageError("`--repo` needs a repository as owner/name.");
      parsed.repo = value;
    } else if (argument === "--") {
      parsed.positionals.push(...argv.slice(position + 1));
      break;
    } else if (argument.startsWith("-")) {
      throw new UsageError(`Unknown option \`${argument}\`.`);
    } else {
      parsed.positionals.push(argument);
    }
  }
  return parsed;
}

/** Runs the CLI; returns the exit code instead of exiting so tests can call it directly. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === "--help" || first === "-h") {
      io.stdout.write(usageText());
      return EXIT_OK;
    }
    if (first === "--version" || first === "-v") {
      io.stdout.write(`${readVersion()}\n`);
      return EXIT_OK;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (command === undefined) {
      throw new UsageError(`Unknown command \`${first}\`; run \`pigello-portal --help\` for the list of commands.`);
    }
    const args = parseArgs(rest, command.flags);
    if (args.help) {
      io.stdout.write(`Usage: ${command.usage}\n  ${command.summary}\n`);
      return EXIT_OK;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`pigello-portal: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function parseFormat(value: string | undefined): OutputFormat {
  if (value === undefined) return "text";
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UsageError(`Unknown format \`${value}\`; use one of ${OUTPUT_FORMATS.join(", ")}.`);
}

/** The manifest glob from .github/pigello.yml, or the default when the file is absent. */
function manifestGlobFromConfig(cwd: string): string {
  return repoConfigIn(cwd).manifests;
}

/** .github/pigello.yml in `cwd`, with defaults; the defaults alone when the file is absent. */
function repoConfigIn(cwd: string): RepoConfig {
  const configPath = resolve(cwd, REPO_CONFIG_PATH);
  if (!existsSync(configPath)) return repoConfigSchema.parse({});
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(configPath, "utf8")) ?? {};
  } catch (error) {
    throw new UsageError(`${REPO_CONFIG_PATH} is not valid YAML (${(error as Error).message.split("\n")[0]}).`);
  }
  const parsed = repoConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new UsageError(`${REPO_CONFIG_PATH} is invalid: ${reasons.join("; ")}`);
  }
  return parsed.data;
}

function toDisplayPath(cwd: string, absolutePath: string): string {
  const shown = relative(cwd, absolutePath) || absolutePath;
  return shown.split(sep).join("/");
}

function resolveManifestPaths(patterns: readonly string[], cwd: string): string[] {
  const found = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const direct = resolve(cwd, pattern);
    const isDirectory = existsSync(direct) && statSync(direct).isDirectory();
    if (existsSync(direct) && !isDirectory) {
      found.add(direct);
      continue;
    }
    // A directory means the YAML files directly inside it.
    const glob = isDirectory ? `${pattern.replace(/[\\/]+$/, "")}/*.{yml,yaml}` : pattern;
    const matches = globSync(glob, { cwd, absolute: true, onlyFiles: true });
    if (matches.length === 0) unmatched.push(pattern);
    for (const match of matches) found.add(resolve(match));
  }
  if (unmatched.length > 0) {
    throw new UsageError(`No files matched ${unmatched.map((pattern) => `\`${pattern}\``).join(", ")}.`);
  }
  return [...found].sort();
}

function readManifestFile(absolutePath: string, cwd: string): ManifestFile {
  const path = toDisplayPath(cwd, absolutePath);
  // Never read a huge file into memory: a placeholder of the limit's size + 1 makes the validator report it.
  if (statSync(absolutePath).size > MAX_MANIFEST_BYTES) return { path, content: new Uint8Array(MAX_MANIFEST_BYTES + 1) };
  return { path, content: new Uint8Array(readFileSync(absolutePath)) };
}

function readManifests(args: ParsedArgs, io: CliIo): ManifestFile[] {
  const patterns = args.positionals.length > 0 ? args.positionals : [manifestGlobFromConfig(io.cwd)];
  return resolveManifestPaths(patterns, io.cwd).map((path) => readManifestFile(path, io.cwd));
}

async function runValidate(args: ParsedArgs, io: CliIo): Promise<number> {
  const format = parseFormat(args.format);
  const files = readManifests(args, io);
  const report = validateManifests(files);
  if (format === "json") io.stdout.write(formatJson(report));
  else if (format === "github") {
    // stdout carries only workflow commands; the summary goes to the log via stderr.
    io.stdout.write(formatGithub(report));
    io.stderr.write(`${formatSummary(report, files.length)}\n`);
  } else {
    const color = io.stdout.isTTY === true && io.env["NO_COLOR"] === undefined;
    io.stdout.write(formatText(report, files, { color }));
  }
  return report.problems.some((problem) => problem.severity === "error") ? EXIT_INVALID : EXIT_OK;
}

async function runPlan(args: ParsedArgs, io: CliIo): Promise<number> {
  const config = repoConfigIn(io.cwd);
  const files = readManifests(args, io);
  const report = validateManifests(files);
  if (report.problems.some((problem) => problem.severity === "error")) {
    io.stdout.write(formatText(report, files, { color: false }));
    io.stderr.write("pigello-portal: fix the manifest errors above before planning.\n");
    return EXIT_INVALID;
  }
  const target = await portalForPlan(io.env);
  try {
    const known = args.repo ? await knownApplications(args.repo, io.env) : new Map<string, string>();
    const plan = planReconcile({ desired: report.manifests, portal: await target.portal.listApplications(), known, prune: config.prune });
    io.stdout.write(`Plan against ${target.description}:\n\n${renderPlanText(plan)}\n`);
    if (!args.repo) {
      io.stdout.write("\n(Without --repo, Portal applications are matched only through `portalApplicationId`.)\n");
    }
    return plan.problems.length > 0 ? EXIT_INVALID : EXIT_OK;
  } finally {
    await target.close();
  }
}

/** The Portal at PIGELLO_PORTAL_URL, or a fresh in-process emulator so the plan works on any laptop. */
async function portalForPlan(env: CliIo["env"]): Promise<{ portal: PortalApi; description: string; close(): Promise<void> }> {
  const configured = createPortalFromEnv(env);
  if (configured) return { portal: configured, description: `the Portal at ${env["PIGELLO_PORTAL_URL"]}`, close: async () => {} };
  const { createPortalEmulator, DEMO_TOKEN } = await import("./portal/emulator/index.js");
  const emulator = createPortalEmulator();
  const url = await emulator.listen(0, "127.0.0.1");
  return {
    portal: createPortalClient({ baseUrl: url, token: DEMO_TOKEN }),
    description: "an empty in-process Portal emulator (set PIGELLO_PORTAL_URL and PIGELLO_PORTAL_TOKEN for another Portal)",
    close: () => emulator.close(),
  };
}

/** slug → Portal id for a repository, from the bot's state store (embedded dynalite in data/ unless DYNAMODB_* is set). */
async function knownApplications(repository: string, env: CliIo["env"]): Promise<Map<string, string>> {
  const [owner = "", repo = ""] = repository.split("/");
  try {
    const { store, stop } = await createStoreFromEnv(env);
    try {
      const records = await store.listApplications({ owner, repo });
      return new Map(records.map((record) => [record.slug, record.applicationId]));
    } finally {
      await stop();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `The state store could not be read (${reason}). While \`npm start\` runs it holds data/; set DYNAMODB_ENDPOINT to the store URL it printed.`,
    );
  }
}

/** Entry for the bin: real process streams, exit code through process.exitCode. */
export async function runCli(): Promise<number> {
  return main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  });
}

function isExecutedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return pathToFileURL(entry).href === import.meta.url;
  }
}

if (isExecutedDirectly()) {
  process.exitCode = await runCli();
}
