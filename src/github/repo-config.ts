import { z } from "zod";
import type { Context } from "probot";
import { repoConfigSchema, type RepoConfig } from "../manifest/repo-config.js";

export const REPO_CONFIG_FILE = "pigello.yml";

export type RepoConfigResult = { ok: true; config: RepoConfig } | { ok: false; message: string };

/**
 * Loads `.github/pigello.yml` through Probot's config loader (so `_extends` and organisation
 * defaults in the `.github` repository work) and validates it with the same zod schema the CLI uses.
 */
export async function loadRepoConfig(context: Pick<Context, "config">): Promise<RepoConfigResult> {
  let raw: unknown;
  try {
    raw = await context.config(REPO_CONFIG_FILE);
  } catch (error) {
    return { ok: false, message: `\`.github/${REPO_CONFIG_FILE}\` could not be read: ${firstLine(error)}` };
  }
  const parsed = repoConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    message: `\`.github/${REPO_CONFIG_FILE}\` is invalid:\n${z.prettifyError(parsed.error)}`,
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error";
}
