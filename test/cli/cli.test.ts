import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import type { CliIo } from "../../src/cli.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const VALID = "test/fixtures/manifests/valid/complete-app.yml";
const INVALID = "test/fixtures/manifests/invalid";

function captureIo(cwd = repoRoot): CliIo & { out: () => string; err: () => string } {
  let stdout = "";
  let stderr = "";
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
    env: {},
    out: () => stdout,
    err: () => stderr,
  };
}

interface CliCase {
  argv: string[];
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

const CASES: CliCase[] = [
  { argv: [], exitCode: 0, stdout: "Usage: pigello-portal <command>" },
  { argv: ["--help"], exitCode: 0, stdout: "pigello-portal validate" },
  { argv: ["help"], exitCode: 0, stdout: "pigello-portal schema" },
  { argv: ["validate", "--help"], exitCode: 0, stdout: "Usage: pigello-portal validate" },
  { argv: ["--version"], exitCode: 0, stdout: "0.1.0" },
  { argv: ["frobnicate"], exitCode: 2, stderr: "Unknown command `frobnicate`" },
  { argv: ["validate", "--strict"], exitCode: 2, stderr: "Unknown option `--strict`" },
  { argv: ["validate", VALID, "--format", "xml"], exitCode: 2, stderr: "Unknown format `xml`" },
  { argv: ["validate", VALID, "--format"], exitCode: 2, stderr: "`--format` needs a value" },
  { argv: ["schema", "--format", "json"], exitCode: 2, stderr: "only accepted by `validate`" },
  { argv: ["validate", "nowhere/*.yml"], exitCode: 2, stderr: "No files matched `nowhere/*.yml`" },
  { argv: ["validate", VALID], exitCode: 0, stdout: "0 errors, 0 warnings in 1 file" },
  { argv: ["validate"], exitCode: 0, stdout: "in 1 file" },
  { argv: ["validate", "test/fixtures/manifests/valid/"], exitCode: 0, stdout: "0 errors, 0 warnings in 1 file" },
  { argv: ["validate", "test/fixtures"], exitCode: 2, stderr: "No files matched `test/fixtures`" },
  { argv: ["validate", `${INVALID}/warnings-only.yml`], exitCode: 0, stdout: "(public-draft)" },
  { argv: ["validate", `${INVALID}/typos.yml`], exitCode: 1, stdout: "did you mean `visibility`?" },
  { argv: ["validate", `${INVALID}/*.yml`], exitCode: 1, stdout: "errors, 3 warnings in 5 files" },
  { argv: ["validate", `${INVALID}/typos.yml`, "--format", "github"], exitCode: 1, stdout: "::error file=test/fixtures/manifests/invalid/typos.yml,line=4,col=1" },
  { argv: ["validate", VALID, "--format=json"], exitCode: 0, stdout: '"slug": "complete-app"' },
  { argv: ["schema"], exitCode: 0, stdout: '"$id": "urn:pigello-portal-bot:schema:app-manifest:v1"' },
];

describe("pigello-portal main()", () => {
  it.each(CASES)("$argv → exit $exitCode", async ({ argv, exitCode, stdout, stderr }) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(exitCode);
    if (stdout !== undefined) expect(io.out()).toContain(stdout);
    if (stderr !== undefined) expect(io.err()).toContain(stderr);
  });

  describe("with .github/pigello.yml", () => {
    const workspace = mkdtempSync(join(tmpdir(), "pigello-cli-"));
    afterAll(() => rmSync(workspace, { recursive: true, force: true }));
    mkdirSync(join(workspace, ".github"));
    mkdirSync(join(workspace, "apps"));

    it("reads the manifests glob from the config", async () => {
      writeFileSync(join(workspace, ".github/pigello.yml"), "manifests: apps/*.yml\n");
      writeFileSync(join(workspace, "apps/bad.yml"), "schemaVersion: 3\n");
      const io = captureIo(workspace);
      expect(await main(["validate"], io)).toBe(1);
      expect(io.out()).toContain("apps/bad.yml:1:16 error");
    });

    it("says which configured glob matched nothing", async () => {
      writeFileSync(join(workspace, ".github/pigello.yml"), "manifests: manifests/*.yaml\n");
      const io = captureIo(workspace);
      expect(await main(["validate"], io)).toBe(2);
      expect(io.err()).toContain("No files matched `manifests/*.yaml`");
    });

    it("is a usage error when the config is invalid", async () => {
      writeFileSync(join(workspace, ".github/pigello.yml"), "manifest: apps/*.yml\n");
      const io = captureIo(workspace);
      expect(await main(["validate"], io)).toBe(2);
      expect(io.err()).toContain("did you mean `manifests`?");
    });
  });
});

describe("bin/pigello-portal.js", () => {
  it("runs as a real process", () => {
    const result = spawnSync(process.execPath, ["bin/pigello-portal.js", "validate", `${INVALID}/typos.yml`, "--format", "github"], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error file=test/fixtures/manifests/invalid/typos.yml,line=9,col=22");
    expect(result.stderr).toContain("3 errors, 0 warnings in 1 file");
  });
});
