export { validateManifests } from "./validate.js";
export { MAX_MANIFEST_BYTES } from "./types.js";
export type { ManifestFile, Position, Problem, Severity, ValidatedManifest, ValidationReport } from "./types.js";
export {
  ACTIVATION_LEVELS,
  manifestV1Schema,
  serviceManifestV1Schema,
  activationVariableV1Schema,
  SUPPORTED_SCHEMA_VERSIONS,
} from "./schema.js";
export type { ActivationVariableV1, ManifestV1, ManifestV1Input, ServiceManifestV1 } from "./schema.js";
export { DEFAULT_MANIFEST_GLOB, REPO_CONFIG_PATH, repoConfigSchema } from "./repo-config.js";
export type { RepoConfig } from "./repo-config.js";
export { RULES } from "./rules.js";
export type { RuleId } from "./rules.js";
export { formatGithub, formatJson, formatSummary, formatText } from "./format.js";
export type { TextFormatOptions } from "./format.js";
