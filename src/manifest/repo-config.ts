import { z } from "zod";
import { didYouMean } from "./suggest.js";

/** Where manifests live unless `.github/pigello.yml` says otherwise. */
export const DEFAULT_MANIFEST_GLOB = ".pigello/apps/*.{yml,yaml}";

/** Path of the repository configuration file, relative to the repository root. */
export const REPO_CONFIG_PATH = ".github/pigello.yml";

const REPO_CONFIG_KEYS = ["manifests", "prune"] as const;

/**
 * `.github/pigello.yml`. Strict: an unknown key is more likely a typo than a future
 * option, and silently ignoring `prnue: true` would be worse than an error.
 */
export const repoConfigSchema = z
  .strictObject(
    {
      manifests: z
        .string()
        .min(1)
        .default(DEFAULT_MANIFEST_GLOB)
        .describe(`Glob of manifest files, relative to the repository root. Default: ${DEFAULT_MANIFEST_GLOB}.`),
      prune: z
        .boolean()
        .default(false)
        .describe("Whether removing a manifest may remove its application from the Portal. Default: false."),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? issue.keys
              .map((key) => `Unknown key \`${key}\` in ${REPO_CONFIG_PATH}${didYouMean(key, REPO_CONFIG_KEYS)}`)
              .join(". ") + `. Known keys: ${REPO_CONFIG_KEYS.join(", ")}.`
          : undefined,
    },
  )
  .meta({ title: "pigello-portal-bot repository configuration" });

export type RepoConfig = z.output<typeof repoConfigSchema>;
