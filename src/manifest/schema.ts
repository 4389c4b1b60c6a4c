import { z } from "zod";

/** Manifest format versions this build understands. */
export const SUPPORTED_SCHEMA_VERSIONS = [1] as const;

/** Lowercase letters, digits and single inner hyphens; no leading or trailing hyphen. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const SLUG_MAX_LENGTH = 50;

/**
 * `<sub-application>.<entity>:<access>`, mirroring Core API paths
 * `/<sub-application>/<sub-functionality>/<entity>/`. The form is our assumption:
 * Pigello documents that services carry permissions, not how they are spelled.
 */
export const PERMISSION_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:(?:read|write)$/;

/** UPPER_SNAKE or lower_snake identifiers. */
export const ACTIVATION_VARIABLE_NAME_PATTERN = /^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*|[a-z][a-z0-9]*(?:_[a-z0-9]+)*)$/;

/**
 * The levels Pigello mentions (tutorial: organization, company; "How It Works": company,
 * real estate, tenant). That the list is closed is our assumption.
 */
export const ACTIVATION_LEVELS = ["organization", "company", "real_estate", "tenant"] as const;

const slugSchema = z
  .string()
  .min(1)
  .max(SLUG_MAX_LENGTH)
  .regex(SLUG_PATTERN)
  .describe("Lowercase letters, digits and hyphens (1-50 characters), no leading or trailing hyphen.");

export const activationVariableV1Schema = z
  .strictObject({
    name: z
      .string()
      .regex(ACTIVATION_VARIABLE_NAME_PATTERN)
      .describe("Variable name, an UPPER_SNAKE or lower_snake identifier, unique within the service."),
    description: z.string().describe("What the customer should enter when activating."),
    required: z.boolean().default(false).describe("Whether activation must provide a value. Default: false."),
  })
  .meta({ title: "Activation variable", description: "A value the customer supplies when activating the service." });

export const serviceManifestV1Schema = z
  .strictObject({
    key: slugSchema.describe(
      "Stable key of the service within this manifest: lowercase letters, digits and hyphens (1-50 characters).",
    ),
    name: z.string().min(1).max(100).describe("Service name shown in Pigello (1-100 characters)."),
    description: z.string().describe("What the service does, shown to customers and reviewers."),
    activationLevel: z
      .enum(ACTIVATION_LEVELS)
      .describe(
        "Scope the customer activates the service for: organization, company, real_estate or tenant. It limits the data the integration sees.",
      ),
    version: z
      .number()
      .int()
      .positive()
      .describe("Service version (positive integer). Changing a published version's attributes needs a new version."),
    permissions: z
      .array(
        z
          .string()
          .regex(PERMISSION_PATTERN)
          .describe("A permission of the form <sub-application>.<entity>:<access>, e.g. accounts.company:read."),
      )
      .min(1)
      .meta({
        uniqueItems: true,
        description:
          "Core API permissions the service version needs, as <sub-application>.<entity>:read|write (e.g. objects.realestate:write).",
      }),
    configuration: z
      .record(z.string(), z.json())
      .default({})
      .describe("Service version configuration: a map of string keys to JSON values. Default: {}."),
    activationVariables: z
      .array(activationVariableV1Schema)
      .default([])
      .describe("Variables a customer fills in when activating this service. Default: []."),
    deprecatedVersions: z
      .array(z.number().int().positive())
      .default([])
      .describe(
        "Older versions of this service to mark deprecated in the Portal, each lower than `version`. Customers on them keep working but no new activation can choose them. Default: [].",
      ),
  })
  .meta({ title: "Service", description: "A capability of the application, activated by customers per version." });

export const manifestV1Schema = z
  .strictObject({
    schemaVersion: z.literal(1).describe("Manifest format version. Must be 1."),
    slug: slugSchema
      .optional()
      .describe(
        "Identifier of the application in this repository, unique across manifests. Default: the file name without extension.",
      ),
    name: z.string().min(1).max(100).describe("Application name shown in the Developer Portal (1-100 characters)."),
    description: z.string().describe("What the application does, shown to reviewers and customers."),
    visibility: z
      .enum(["private", "public"])
      .default("private")
      .describe("Who can see the application. Pigello recommends private while developing. Default: private."),
    sharedWith: z
      .array(z.uuid().describe("A Pigello account id (UUID), as the Developer Portal shows it."))
      .default([])
      .describe("Accounts (by Pigello account id) a private application is shared with. Default: []."),
    portalApplicationId: z
      .uuid()
      .optional()
      .describe("Adopt an existing Developer Portal application by its id instead of creating a new one."),
    services: z
      .array(serviceManifestV1Schema)
      .min(1)
      .describe("The application's services; at least one."),
  })
  .meta({
    title: "Pigello application manifest v1",
    description: "A Pigello Developer Portal application kept as code by pigello-portal-bot.",
  });

type ManifestV1Parsed = z.output<typeof manifestV1Schema>;

/** A validated manifest with defaults applied; `slug` is always filled in (from the file name if absent). */
export type ManifestV1 = Omit<ManifestV1Parsed, "slug"> & { slug: string };
export type ServiceManifestV1 = z.output<typeof serviceManifestV1Schema>;
export type ActivationVariableV1 = z.output<typeof activationVariableV1Schema>;
/** What an author may write (defaults not yet applied). */
export type ManifestV1Input = z.input<typeof manifestV1Schema>;
