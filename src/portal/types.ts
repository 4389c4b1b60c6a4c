// Names for the contract's schemas, so callers never spell `components["schemas"][...]`.
import type { components } from "./contract.gen.js";

type Schemas = components["schemas"];

export type Application = Schemas["Application"];
export type ApplicationCreate = Schemas["ApplicationCreate"];
export type ApplicationPatch = Schemas["ApplicationPatch"];
export type Service = Schemas["Service"];
export type ServiceCreate = Schemas["ServiceCreate"];
export type ServicePatch = Schemas["ServicePatch"];
export type ServiceVersion = Schemas["ServiceVersion"];
export type ServiceVersionCreate = Schemas["ServiceVersionCreate"];
export type ServiceVersionPatch = Schemas["ServiceVersionPatch"];
export type ReviewRequest = Schemas["ReviewRequest"];
export type ReviewRequestCreate = Schemas["ReviewRequestCreate"];
export type ReviewStatus = Schemas["ReviewStatus"];
export type IntegrationLink = Schemas["IntegrationLink"];
export type Activation = Schemas["Activation"];
export type ActivationLevel = Schemas["ActivationLevel"];
export type ActivationVariableDefinition = Schemas["ActivationVariableDefinition"];
export type Credentials = Schemas["Credentials"];
export type CredentialsSummary = Schemas["CredentialsSummary"];
export type IntegrationUserAgent = Schemas["IntegrationUserAgent"];
export type Visibility = Schemas["Visibility"];
export type PortalErrorBody = Schemas["Error"];

/** The seven Core API header values of one activation (PIGELLO.md), the only secret being client_secret. */
export type CoreApiCredentials = Pick<
  Credentials,
  | "customer_id"
  | "application_id"
  | "service_id"
  | "service_version_id"
  | "client_ct"
  | "client_object_id"
  | "client_secret"
>;

/** The contract's page envelope, shared by every paged list. */
export interface Page<T> {
  count: number;
  next_page: number | null;
  results: T[];
}

/** The contract's largest `_page_size`. */
export const MAX_PAGE_SIZE = 100;
