// The Portal's rules (PIGELLO.md) over the emulator state. Each operation returns a contract
// payload or throws a Refusal whose message says what was refused and what to do instead.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type {
  Activation,
  ActivationLevel,
  Application,
  ApplicationCreate,
  ApplicationPatch,
  Credentials,
  CredentialsSummary,
  IntegrationLink,
  IntegrationUserAgent,
  Page,
  ReviewRequest,
  ReviewRequestCreate,
  Service,
  ServiceCreate,
  ServicePatch,
  ServiceVersion,
  ServiceVersionCreate,
  ServiceVersionPatch,
} from "../types.js";
import {
  SANDBOX_ENVIRONMENT,
  type EmulatorState,
  type StoredAccount,
  type StoredApplication,
  type StoredCredentials,
  type StoredEnvironment,
  type StoredService,
  type StoredVersion,
} from "./state.js";

export class Refusal extends Error {
  constructor(
    readonly status: 401 | 403 | 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = "Refusal";
  }
}

/** Assumed content types of the entity each activation level activates for. */
export const ACTIVATION_CONTENT_TYPES: Record<ActivationLevel, string> = {
  organization: "accounts.organization",
  company: "company.company",
  real_estate: "objects.realestate",
  tenant: "accounts.tenant",
};

/** Assumed `X-PIGELLO-CLIENT-CT` of integration credentials: the activation record's own type. */
export const INTEGRATION_CLIENT_CT = "accounts.integrationuseragent";

export type ReviewDecision = "approve" | "request_changes" | "reject";

export interface ActivateInput {
  environment: string;
  service_version_id: string;
  activation_object_id: string;
  activation_variables?: Record<string, string>;
}

export const DEFAULT_PAGE_SIZE = 25;

export class PortalModel {
  constructor(
    public state: EmulatorState,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private timestamp(): string {
    return this.now().toISOString();
  }

  // ── accounts ────────────────────────────────────────────────────────────────

  accountForToken(token: string): StoredAccount | undefined {
    return this.state.accounts.find((account) => account.tokens.includes(token));
  }

  createAccount(name: string, token: string = randomUUID()): { id: string; name: string; token: string } {
    const account = { id: randomUUID(), name, tokens: [token] };
    this.state.accounts.push(account);
    return { id: account.id, name, token };
  }

  // ── applications ────────────────────────────────────────────────────────────

  listApplications(account: StoredAccount, page: PageRequest): Page<Application> {
    const visible = this.state.applications.filter((application) => canSee(account, application));
    return pageOf(visible.map((application) => this.renderApplication(application)), page);
  }

  getApplication(account: StoredAccount, applicationId: string): Application {
    return this.renderApplication(this.visibleApplication(account, applicationId));
  }

  createApplication(account: StoredAccount, body: ApplicationCreate): Application {
    const at = this.timestamp();
    const application: StoredApplication = {
      id: randomUUID(),
      name: body.name,
      description: body.description,
      visibility: body.visibility ?? "private",
      shared_with: body.shared_with ?? [],
      // Public rule: every new application is a draft.
      is_draft: true,
      owner_account_id: account.id,
      created_at: at,
      updated_at: at,
    };
    this.state.applications.push(application);
    return this.renderApplication(application);
  }

  updateApplication(account: StoredAccount, applicationId: string, patch: ApplicationPatch): Application {
    const application = this.ownedApplication(account, applicationId);
    if (patch.name !== undefined) application.name = patch.name;
    if (patch.description !== undefined) application.description = patch.description;
    if (patch.visibility !== undefined) application.visibility = patch.visibility;
    if (patch.shared_with !== undefined) application.shared_with = patch.shared_with;
    application.updated_at = this.timestamp();
    return this.renderApplication(application);
  }

  // ── services and versions ───────────────────────────────────────────────────

  createService(account: StoredAccount, applicationId: string, body: ServiceCreate): Service {
    const application = this.ownedApplication(account, applicationId);
    if (this.servicesOf(application.id).some((service) => service.key === body.key)) {
      throw new Refusal(409, "service_key_taken", `Application "${application.name}" already has a service with key "${body.key}"; service keys are unique within an application.`);
    }
    const service: StoredService = {
      id: randomUUID(),
      application_id: application.id,
      key: body.key,
      name: body.name,
      description: body.description,
      activation_level: body.activation_level,
      created_at: this.timestamp(),
    };
    this.state.services.push(service);
    this.touch(application);
    return this.renderService(service);
  }

  updateService(account: StoredAccount, applicationId: string, serviceId: string, patch: ServicePatch): Service {
    const application = this.ownedApplication(account, applicationId);
    const service = this.serviceOf(application, serviceId);
    if (patch.name !== undefined) service.name = patch.name;
    if (patch.description !== undefined) service.description = patch.description;
    this.touch(application);
    return this.renderService(service);
  }

  createServiceVersion(account: StoredAccount, applicationId: string, serviceId: string, body: ServiceVersionCreate): ServiceVersion {
    const application = this.ownedApplication(account, applicationId);
    const service = this.serviceOf(application, serviceId);
    const latest = Math.max(0, ...this.versionsOf(service.id).map((version) => version.version));
    if (body.version <= latest) {
      throw new Refusal(409, "version_not_higher", `Service "${service.key}" already has version ${latest}; a new version must have a higher number (for example ${latest + 1}). Existing versions stay as they are.`);
    }
    const variables = body.activation_variables ?? [];
    assertUniqueVariableNames(variables.map((variable) => variable.name));
    const version: StoredVersion = {
      id: randomUUID(),
      service_id: service.id,
      version: body.version,
      description: body.description ?? "",
      permissions: body.permissions,
      configuration: body.configuration ?? {},
      activation_level: body.activation_level ?? service.activation_level,
      activation_variables: variables,
      is_deprecated: false,
      deprecated_at: null,
      created_at: this.timestamp(),
    };
    this.state.versions.push(version);
    this.touch(application);
    return { ...version };
  }

  updateServiceVersion(
    account: StoredAccount,
    applicationId: string,
    serviceId: string,
    versionId: string,
    patch: ServiceVersionPatch,
  ): ServiceVersion {
    const application = this.ownedApplication(account, applicationId);
    const service = this.serviceOf(application, serviceId);
    const version = this.versionOf(service, versionId);
    // Public rule: only drafts are edited in place; after publication a change is a new version.
    if (!application.is_draft) {
      const next = Math.max(...this.versionsOf(service.id).map((existing) => existing.version)) + 1;
      throw new Refusal(409, "application_published", `Application "${application.name}" is published, so version ${version.version} of service "${service.key}" can no longer change; create a new version (${next}) with the new permissions, description or configuration instead. Existing versions stay as they are.`);
    }
    if (patch.activation_variables !== undefined) {
      assertUniqueVariableNames(patch.activation_variables.map((variable) => variable.name));
      version.activation_variables = patch.activation_variables;
    }
    if (patch.description !== undefined) version.description = patch.description;
    if (patch.permissions !== undefined) version.permissions = patch.permissions;
    if (patch.configuration !== undefined) version.configuration = patch.configuration;
    if (patch.activation_level !== undefined) version.activation_level = patch.activation_level;
    this.touch(application);
    return { ...version };
  }

  deprecateServiceVersion(account: StoredAccount, applicationId: string, serviceId: string, versionId: string): ServiceVersion {
    const application = this.ownedApplication(account, applicationId);
    const version = this.versionOf(this.serviceOf(application, serviceId), versionId);
    if (!version.is_deprecated) {
      version.is_deprecated = true;
      version.deprecated_at = this.timestamp();
      this.touch(application);
    }
    return { ...version };
  }

  // ── review requests ─────────────────────────────────────────────────────────

  openReviewRequest(account: StoredAccount, applicationId: string, body: ReviewRequestCreate): ReviewRequest {
    const application = this.ownedApplication(account, applicationId);
    const pending = this.state.review_requests.find(
      (request) => request.application_id === application.id && request.status === "pending",
    );
    if (pending !== undefined) {
      throw new Refusal(409, "review_already_pending", `Application "${application.name}" already has a pending review request (${pending.id}); wait for Pigello's decision before opening another.`);
    }
    const reviewable = this.servicesOf(application.id).some((service) =>
      this.versionsOf(service.id).some((version) => !version.is_deprecated),
    );
    if (!reviewable) {
      throw new Refusal(409, "nothing_to_review", `Application "${application.name}" has no service with a non-deprecated version; add a service and a version before asking Pigello for a review.`);
    }
    const request: ReviewRequest = {
      id: randomUUID(),
      application_id: application.id,
      message: body.message,
      status: "pending",
      reviewer_comment: null,
      opened_at: this.timestamp(),
      decided_at: null,
    };
    this.state.review_requests.push(request);
    return { ...request };
  }

  getReviewRequest(account: StoredAccount, applicationId: string, reviewRequestId: string): ReviewRequest {
    const application = this.visibleApplication(account, applicationId);
    const request = this.state.review_requests.find(
      (candidate) => candidate.id === reviewRequestId && candidate.application_id === application.id,
    );
    if (request === undefined) throw notFound("review request", reviewRequestId);
    return { ...request };
  }

  listReviewRequests(account: StoredAccount, applicationId: string, page: PageRequest): Page<ReviewRequest> {
    const application = this.visibleApplication(account, applicationId);
    const requests = this.state.review_requests
      .filter((request) => request.application_id === application.id)
      .map((request) => ({ ...request }))
      .reverse();
    return pageOf(requests, page);
  }

  /** A Pigello reviewer's decision (control surface): only approval removes draft status. */
  decideReview(reviewRequestId: string, decision: ReviewDecision, comment: string): ReviewRequest {
    const request = this.state.review_requests.find((candidate) => candidate.id === reviewRequestId);
    if (request === undefined) throw notFound("review request", reviewRequestId);
    if (request.status !== "pending") {
      throw new Refusal(409, "review_already_decided", `Review request ${request.id} was already decided (${request.status}); the developer must open a new one.`);
    }
    request.status = decision === "approve" ? "approved" : decision === "reject" ? "rejected" : "changes_requested";
    request.reviewer_comment = comment;
    request.decided_at = this.timestamp();
    if (decision === "approve") {
      const application = this.state.applications.find((candidate) => candidate.id === request.application_id);
      if (application !== undefined) {
        application.is_draft = false;
        this.touch(application);
      }
    }
    return { ...request };
  }

  // ── integration links ───────────────────────────────────────────────────────

  listIntegrationLinks(account: StoredAccount, applicationId: string, baseUrl: string): IntegrationLink[] {
    const application = this.visibleApplication(account, applicationId);
    // Public rule: "Open Integration Link" exists only once the draft status is removed.
    if (application.is_draft) return [];
    return this.state.environments.flatMap((environment) =>
      this.servicesOf(application.id).map((service) => ({
        environment: environment.name,
        service_id: service.id,
        url: `${baseUrl}/_control/environments/${encodeURIComponent(environment.name)}/integrations/${service.id}/`,
      })),
    );
  }

  // ── activations ─────────────────────────────────────────────────────────────

  listActivations(account: StoredAccount, environment: string, serviceVersionId: string | undefined, page: PageRequest): Page<Activation> {
    const activations = this.state.activations.filter(
      (activation) =>
        activation.environment === environment &&
        (serviceVersionId === undefined || activation.service_version_id === serviceVersionId) &&
        this.isVisibleApplicationId(account, activation.application_id),
    );
    return pageOf(activations.map((activation) => ({ ...activation })), page);
  }

  getActivation(account: StoredAccount, environment: string, activationId: string): Activation {
    return { ...this.visibleActivation(account, environment, activationId) };
  }

  /** A customer activating a version in an environment (control surface). */
  activate(input: ActivateInput): Activation {
    const version = this.state.versions.find((candidate) => candidate.id === input.service_version_id);
    if (version === undefined) throw notFound("service version", input.service_version_id);
    const service = this.requireService(version.service_id);
    const application = this.requireApplication(service.application_id);
    if (application.is_draft) {
      throw new Refusal(409, "application_is_draft", `Application "${application.name}" is still a draft; only an approved review makes it available in Pigello environments.`);
    }
    if (version.is_deprecated) {
      throw new Refusal(409, "version_deprecated", `Version ${version.version} of service "${service.key}" is deprecated and cannot be activated; activate a newer version.`);
    }
    const variables = input.activation_variables ?? {};
    const declared = new Set(version.activation_variables.map((variable) => variable.name));
    const unknown = Object.keys(variables).filter((name) => !declared.has(name));
    if (unknown.length > 0) {
      throw new Refusal(422, "unknown_activation_variables", `Version ${version.version} of service "${service.key}" declares no activation variable named ${unknown.join(", ")}.`);
    }
    const missing = version.activation_variables.filter((variable) => variable.required && !(variable.name in variables));
    if (missing.length > 0) {
      throw new Refusal(422, "missing_activation_variables", `Activating version ${version.version} of service "${service.key}" needs the required activation variables ${missing.map((variable) => variable.name).join(", ")}.`);
    }
    const environment = this.environment(input.environment);
    const running = this.state.activations.find(
      (activation) =>
        activation.environment === environment.name &&
        activation.service_id === service.id &&
        activation.activation_object_id === input.activation_object_id &&
        activation.is_active,
    );
    if (running !== undefined) {
      const runningVersion = this.state.versions.find((candidate) => candidate.id === running.service_version_id);
      // Public rule: customers are not upgraded automatically; they deactivate, then activate.
      throw new Refusal(409, "already_activated", `Service "${service.key}" is already active for ${input.activation_object_id} in ${environment.name} with version ${runningVersion?.version ?? "?"} (activation ${running.id}); deactivate it before activating another version.`);
    }
    const activation: Activation = {
      id: randomUUID(),
      environment: environment.name,
      application_id: application.id,
      service_id: service.id,
      service_version_id: version.id,
      activation_content_type: ACTIVATION_CONTENT_TYPES[version.activation_level],
      activation_object_id: input.activation_object_id,
      activation_variables: variables,
      is_active: true,
      active_since: this.timestamp(),
    };
    this.state.activations.push(activation);
    return { ...activation };
  }

  /** A customer deactivating (control surface): the activation's credentials stop working. */
  deactivate(environment: string, activationId: string): Activation {
    const activation = this.state.activations.find(
      (candidate) => candidate.id === activationId && candidate.environment === environment,
    );
    if (activation === undefined) throw notFound("activation", activationId);
    activation.is_active = false;
    activation.active_since = null;
    return { ...activation };
  }

  // ── credentials ─────────────────────────────────────────────────────────────

  generateCredentials(account: StoredAccount, environment: string, activationId: string): Credentials {
    const activation = this.visibleActivation(account, environment, activationId);
    this.ownedApplication(account, activation.application_id);
    if (!activation.is_active) {
      throw new Refusal(409, "activation_inactive", `Activation ${activation.id} in ${environment} is not active; credentials are only generated for an active activation.`);
    }
    const secret = randomBytes(32).toString("base64url");
    const stored: StoredCredentials = {
      id: randomUUID(),
      environment: activation.environment,
      activation_id: activation.id,
      created_at: this.timestamp(),
      revoked_at: null,
      customer_id: this.environment(activation.environment).customer_id,
      application_id: activation.application_id,
      service_id: activation.service_id,
      service_version_id: activation.service_version_id,
      client_ct: INTEGRATION_CLIENT_CT,
      client_object_id: activation.id,
      client_secret_sha256: sha256(secret),
    };
    this.state.credentials.push(stored);
    const { client_secret_sha256: _hash, revoked_at: _revoked, ...visible } = stored;
    return { ...visible, client_secret: secret };
  }

  listCredentials(account: StoredAccount, environment: string, activationId: string, page: PageRequest): Page<CredentialsSummary> {
    const activation = this.visibleActivation(account, environment, activationId);
    const credentials = this.state.credentials.filter((stored) => stored.activation_id === activation.id);
    return pageOf(credentials.map(summarize), page);
  }

  revokeCredentials(account: StoredAccount, environment: string, activationId: string, credentialsId: string): CredentialsSummary {
    const activation = this.visibleActivation(account, environment, activationId);
    this.ownedApplication(account, activation.application_id);
    const stored = this.state.credentials.find(
      (candidate) => candidate.id === credentialsId && candidate.activation_id === activation.id,
    );
    if (stored === undefined) throw notFound("credentials", credentialsId);
    stored.revoked_at ??= this.timestamp();
    return summarize(stored);
  }

  /** The Core API read: valid only for the seven values of unrevoked credentials of an active activation. */
  checkCoreCredentials(activationId: string, headers: Record<string, string | undefined>): IntegrationUserAgent {
    const refuse = () =>
      new Refusal(401, "invalid_credentials", "The X-PIGELLO-* headers are not valid credentials of an active activation.");
    const secret = headers["x-pigello-client-secret"];
    if (secret === undefined || headers["x-pigello-client-entity"] !== activationId) throw refuse();
    const secretHash = Buffer.from(sha256(secret), "hex");
    const stored = this.state.credentials.find(
      (candidate) =>
        candidate.client_object_id === activationId &&
        candidate.revoked_at === null &&
        timingSafeEqual(Buffer.from(candidate.client_secret_sha256, "hex"), secretHash),
    );
    if (
      stored === undefined ||
      headers["x-pigello-customer-id"] !== stored.customer_id ||
      headers["x-pigello-application-id"] !== stored.application_id ||
      headers["x-pigello-service-id"] !== stored.service_id ||
      headers["x-pigello-service-version-id"] !== stored.service_version_id ||
      headers["x-pigello-client-ct"] !== stored.client_ct
    ) {
      throw refuse();
    }
    const activation = this.state.activations.find((candidate) => candidate.id === activationId);
    if (activation === undefined || !activation.is_active) throw refuse();
    return {
      id: activation.id,
      application_id: activation.application_id,
      service_id: activation.service_id,
      service_version_id: activation.service_version_id,
      activation_content_type: activation.activation_content_type,
      activation_object_id: activation.activation_object_id,
      activation_variables: activation.activation_variables,
      is_active: activation.is_active,
    };
  }

  /** The integration page an "Open Integration Link" points at. */
  integrationPage(environment: string, serviceId: string): { environment: string; application: Application; service: Service } {
    const service = this.requireService(serviceId);
    const application = this.requireApplication(service.application_id);
    if (application.is_draft || !this.state.environments.some((candidate) => candidate.name === environment)) {
      throw notFound("integration", serviceId);
    }
    return { environment, application: this.renderApplication(application), service: this.renderService(service) };
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  /** A customer environment is created the first time it is used. */
  private environment(name: string): StoredEnvironment {
    let environment = this.state.environments.find((candidate) => candidate.name === name);
    if (environment === undefined) {
      environment = { name, customer_id: randomUUID(), created_at: this.timestamp() };
      this.state.environments.push(environment);
    }
    return environment;
  }

  private visibleApplication(account: StoredAccount, applicationId: string): StoredApplication {
    const application = this.state.applications.find((candidate) => candidate.id === applicationId);
    // Private applications of other accounts answer exactly like missing ones.
    if (application === undefined || !canSee(account, application)) throw notFound("application", applicationId);
    return application;
  }

  private ownedApplication(account: StoredAccount, applicationId: string): StoredApplication {
    const application = this.visibleApplication(account, applicationId);
    if (application.owner_account_id !== account.id) {
      throw new Refusal(403, "not_owner", `Application "${application.name}" belongs to another account; only its owner can change it.`);
    }
    return application;
  }

  private isVisibleApplicationId(account: StoredAccount, applicationId: string): boolean {
    const application = this.state.applications.find((candidate) => candidate.id === applicationId);
    return application !== undefined && canSee(account, application);
  }

  private visibleActivation(account: StoredAccount, environment: string, activationId: string): Activation {
    const activation = this.state.activations.find(
      (candidate) => candidate.id === activationId && candidate.environment === environment,
    );
    if (activation === undefined || !this.isVisibleApplicationId(account, activation.application_id)) {
      throw notFound("activation", activationId);
    }
    return activation;
  }

  private requireApplication(applicationId: string): StoredApplication {
    const application = this.state.applications.find((candidate) => candidate.id === applicationId);
    if (application === undefined) throw notFound("application", applicationId);
    return application;
  }

  private requireService(serviceId: string): StoredService {
    const service = this.state.services.find((candidate) => candidate.id === serviceId);
    if (service === undefined) throw notFound("service", serviceId);
    return service;
  }

  private serviceOf(application: StoredApplication, serviceId: string): StoredService {
    const service = this.state.services.find((candidate) => candidate.id === serviceId && candidate.application_id === application.id);
    if (service === undefined) throw notFound("service", serviceId);
    return service;
  }

  private versionOf(service: StoredService, versionId: string): StoredVersion {
    const version = this.state.versions.find((candidate) => candidate.id === versionId && candidate.service_id === service.id);
    if (version === undefined) throw notFound("service version", versionId);
    return version;
  }

  private servicesOf(applicationId: string): StoredService[] {
    return this.state.services.filter((service) => service.application_id === applicationId);
  }

  private versionsOf(serviceId: string): StoredVersion[] {
    return this.state.versions.filter((version) => version.service_id === serviceId).sort((a, b) => a.version - b.version);
  }

  private touch(application: StoredApplication): void {
    application.updated_at = this.timestamp();
  }

  private renderService(service: StoredService): Service {
    return { ...service, versions: this.versionsOf(service.id).map((version) => ({ ...version })) };
  }

  private renderApplication(application: StoredApplication): Application {
    return {
      ...application,
      shared_with: [...application.shared_with],
      services: this.servicesOf(application.id).map((service) => this.renderService(service)),
    };
  }
}

export interface PageRequest {
  page: number;
  pageSize: number;
}

function pageOf<T>(items: T[], { page, pageSize }: PageRequest): Page<T> {
  const start = (page - 1) * pageSize;
  return {
    count: items.length,
    next_page: start + pageSize < items.length ? page + 1 : null,
    results: items.slice(start, start + pageSize),
  };
}

function canSee(account: StoredAccount, application: StoredApplication): boolean {
  return (
    application.visibility === "public" ||
    application.owner_account_id === account.id ||
    application.shared_with.includes(account.id)
  );
}

function summarize(stored: StoredCredentials): CredentialsSummary {
  const { client_secret_sha256: _hash, ...summary } = stored;
  return { ...summary };
}

function assertUniqueVariableNames(names: string[]): void {
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new Refusal(422, "duplicate_activation_variable", `Activation variable "${duplicate}" is declared twice; names must be unique within a version.`);
  }
}

function notFound(kind: string, id: string): Refusal {
  return new Refusal(404, "not_found", `No ${kind} ${id} is visible to this account.`);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export { SANDBOX_ENVIRONMENT };
