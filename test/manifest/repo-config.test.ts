import { describe, expect, it } from "vitest";
import { DEFAULT_MANIFEST_GLOB, repoConfigSchema } from "../../src/manifest/index.js";

describe("repoConfigSchema", () => {
  it("applies defaults to an empty config", () => {
    expect(repoConfigSchema.parse({})).toEqual({ manifests: DEFAULT_MANIFEST_GLOB, prune: false });
  });

  it("accepts both keys", () => {
    expect(repoConfigSchema.parse({ manifests: "apps/*.yml", prune: true })).toEqual({ manifests: "apps/*.yml", prune: true });
  });

  it("rejects unknown keys with a hint", () => {
    const result = repoConfigSchema.safeParse({ prnue: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain("did you mean `prune`?");
  });

  it("rejects wrong types", () => {
    expect(repoConfigSchema.safeParse({ prune: "yes" }).success).toBe(false);
    expect(repoConfigSchema.safeParse({ manifests: "" }).success).toBe(false);
  });
});
