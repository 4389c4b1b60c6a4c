// The one adapter between the bot and the Pigello Developer Portal contract (docs/portal-api.yaml).
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { paths } from "./contract.gen.js";
import { paginate } from "./paginate.js";
import { DEFAULT_RETRY_POLICY, backoffDelayMs, parseRetryAfter, sleep as realSleep, type RetryPolicy } from "./retry.js";
import type {
  Activation,
  Application,
  ApplicationCreate,
  ApplicationPatch,
  CoreApiCredentials,
  Credentials,
  CredentialsSummary,
  IntegrationLink,
  PortalErrorBody,
  ReviewRequest,
  ReviewRequestCreate,
  Service,
  ServiceCreate,
  ServicePatch,
  ServiceVersion,
  ServiceVersionCreate,
  ServiceVersionPatch,
} from "./types.js";

export type { RetryPolicy } from "./retry.js";
// The contract's schema names travel with the client, so callers need one import.
export type * from "./types.js";

/** A pino-like logger; it only ever receives operation names, methods, paths, statuses and delays. */
export interface PortalLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface PortalClientOptions {
  /** The Portal base URL (`PIGELLO_PORTAL_URL`). */
  baseUrl: string;
  /** The Portal bearer token (`PIGELLO_PORTAL_TOKEN`). Never logged. */
  token: string;
  /** The Core API base URL for `checkCredentials`; defaults to `baseUrl` (the emulator serves both). */
  coreBaseUrl?: string;
  fetch?: (input: Request) => Promise<Response>;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  logger?: PortalLogger;
  /** Test seam: how the client waits between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

export interface CreateOptions {
  /**
   * Derive it deterministically (e.g. from repository + manifest + step) so a re-run after a
   * crash gets the object the first run created. Without one, a random key still makes this
   * call's own retries safe.
   */
  idempotencyKey?: string;
}

export interface ListOptions {
  /** 1 to 100; default 100, the fewest requests. */
  pageSize?: number;
}

export interface PortalApi {
  listApplications(options?: ListOptions): Promise<Application[]>;
  getApplication(applicationId: string): Promise<Application>;
  createApplication(body: ApplicationCreate, options?: CreateOptions): Promise<Application>;
  updateApplication(applicationId: string, patch: ApplicationPatch): Promise<Application>;
  createService(applicationId: string, body: ServiceCreate, options?: CreateOptions): Promise<Service>;
  updateService(applicationId: string, serviceId: string, patch: ServicePatch): Promise<Service>;
  createServiceVersion(
    applicationId: string,
    serviceId: string,
    body: ServiceVersionCreate,
    options?: CreateOptions,
  ): Promise<ServiceVersion>;
  updateServiceVersion(
    applicationId: string,
    serviceId: string,
    serviceVersionId: string,
    patch: ServiceVersionPatch,
  ): Promise<ServiceVersion>;
  deprecateServiceVersion(
    applicationId: string,
    serviceId: string,
    serviceVersionId: string,
    options?: CreateOptions,
  ): Promise<ServiceVersion>;
  openReviewRequest(applicationId: string, body: ReviewRequestCreate, options?: CreateOptions): Promise<ReviewRequest>;
  getReviewRequest(applicationId: string, reviewRequestId: string): Promise<ReviewRequest>;
  listReviewRequests(applicationId: string, options?: ListOptions): Promise<ReviewRequest[]>;
  listIntegrationLinks(applicationId: string): Promise<IntegrationLink[]>;
  listActivations(environment: string, options?: ListOptions & { serviceVersionId?: string }): Promise<Activation[]>;
  getActivation(environment: string, activationId: string): Promise<Activation>;
  generateCredentials(environment: string, activationId: string, options?: CreateOptions): Promise<Credentials>;
  listCredentials(environment: string, activationId: string, options?: ListOptions): Promise<CredentialsSummary[]>;
  revokeCredentials(environment: string, activationId: string, credentialsId: string): Promise<CredentialsSummary>;
  /** The Core API read with the seven headers: true for 200, false for 401. */
  checkCredentials(credentials: CoreApiCredentials): Promise<boolean>;
}

/** A failed Portal call: the HTTP status (0 when no answer came), the Portal's code and message, and the operation. */
export class PortalError extends Error {
  readonly status: number;
  readonly code: string;
  readonly portalMessage: string;
  readonly operation: string;
  readonly details: PortalErrorBody["details"];
  /** Set for a 429 whose Retry-After was too long to wait in-process: reschedule the work instead. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    portalMessage: string;
    operation: string;
    details?: PortalErrorBody["details"];
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(`${init.operation} failed (${init.status || "no response"} ${init.code}): ${init.portalMessage}`, {
      cause: init.cause,
    });
    this.name = "PortalError";
    this.status = init.status;
    this.code = init.code;
    this.portalMessage = init.portalMessage;
    this.operation = init.operation;
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }
}

interface CallInfo {
  operation: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  /** Safe to send twice: GET/PATCH/DELETE, or a POST carrying an Idempotency-Key. */
  idempotent: boolean;
}

interface AttemptResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

const NOOP_LOGGER: PortalLogger = { debug() {}, info() {}, warn() {} };

/** A Retry-After longer than this is not slept through (a Lambda would time out); the error carries it instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

export function createPortalClient(options: PortalClientOptions): PortalApi {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const logger = options.logger ?? NOOP_LOGGER;
  const wait = options.sleep ?? realSleep;
  const fetchImpl = options.fetch ?? ((request: Request) => globalThis.fetch(request));

  const portal = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    fetch: fetchImpl,
    headers: { Authorization: `Bearer ${options.token}` },
  });
  // A separate client so the Portal token is never sent along with Core API credentials.
  const core = createClient<paths>({
    baseUrl: (options.coreBaseUrl ?? options.baseUrl).replace(/\/+$/, ""),
    fetch: fetchImpl,
  });

  async function call<T>(
    info: CallInfo,
    attempt: (signal: AbortSignal) => Promise<AttemptResult<T>>,
    acceptStatus: (status: number) => boolean = () => false,
  ): Promise<{ data: T | undefined; status: number }> {
    for (let attemptNumber = 1; ; attemptNumber++) {
      let result: AttemptResult<T> | undefined;
      let failure: unknown;
      try {
        result = await attempt(AbortSignal.timeout(timeoutMs));
      } catch (error) {
        failure = error;
      }
      const status = result?.response.status ?? 0;
      const fields = { operation: info.operation, method: info.method, path: info.path, attempt: attemptNumber, status };
      if (result && (result.response.ok || acceptStatus(status))) {
        // Changes are worth an info line; reads are noise outside debugging.
        if (info.method === "GET") logger.debug(fields, "portal call answered");
        else logger.info(fields, "portal call answered");
        return { data: result.data, status };
      }

      const retryAfterMs = result ? parseRetryAfter(result.response.headers.get("retry-after")) : undefined;
      const transient = result === undefined || status === 429 || status >= 500;
      const waitable = retryAfterMs === undefined || retryAfterMs <= MAX_RETRY_AFTER_MS;
      if (!transient || !info.idempotent || !waitable || attemptNumber > policy.retries) {
        logger.warn(retryAfterMs === undefined ? fields : { ...fields, retryAfterMs }, "portal call failed");
        throw toPortalError(info.operation, result, failure, retryAfterMs);
      }
      const delayMs = retryAfterMs ?? backoffDelayMs(attemptNumber, policy);
      logger.warn(
        { ...fields, delayMs, reason: result ? `status ${status}` : failureKind(failure) },
        "portal call will be retried",
      );
      await wait(delayMs);
    }
  }

  async function ok<T>(info: CallInfo, attempt: (signal: AbortSignal) => Promise<AttemptResult<T>>): Promise<T> {
    const { data } = await call(info, attempt);
    if (data === undefined) {
      throw new PortalError({ status: 0, code: "empty_response", portalMessage: "The Portal answered without a body", operation: info.operation });
    }
    return data;
  }

  const read = (operation: string, path: string): CallInfo => ({ operation, method: "GET", path, idempotent: true });
  const write = (operation: string, method: "PATCH" | "DELETE", path: string): CallInfo => ({ operation, method, path, idempotent: true });
  const create = (operation: string, path: string): CallInfo => ({ operation, method: "POST", path, idempotent: true });
  const keyOf = (createOptions?: CreateOptions) => ({ "Idempotency-Key": createOptions?.idempotencyKey ?? randomUUID() });

  return {
    listApplications: (listOptions) =>
      paginate(
        (query) => ok(read("listApplications", "/applications/"), (signal) => portal.GET("/applications/", { params: { query }, signal })),
        listOptions?.pageSize,
      ),

    getApplication: (applicationId) =>
      ok(read("getApplication", "/applications/{application_id}/"), (signal) =>
        portal.GET("/applications/{application_id}/", { params: { path: { application_id: applicationId } }, signal }),
      ),

    createApplication: (body, createOptions) => {
      const header = keyOf(createOptions);
      return ok(create("createApplication", "/applications/"), (signal) =>
        portal.POST("/applications/", { params: { header }, body, signal }),
      );
    },

    updateApplication: (applicationId, patch) =>
      ok(write("updateApplication", "PATCH", "/applications/{application_id}/"), (signal) =>
        portal.PATCH("/applications/{application_id}/", {
          params: { path: { application_id: applicationId } },
          body: patch,
          signal,
        }),
      ),

    createService: (applicationId, body, createOptions) => {
      const header = keyOf(createOptions);
      return ok(create("createService", "/applications/{application_id}/services/"), (signal) =>
        portal.POST("/applications/{application_id}/services/", {
          params: { path: { application_id: applicationId }, header },
          body,
          signal,
        }),
      );
    },

    updateService: (applicationId, serviceId, patch) =>
      ok(write("updateService", "PATCH", "/applications/{application_id}/services/{service_id}/"), (signal) =>
        portal.PATCH("/applications/{application_id}/services/{service_id}/", {
          params: { path: { application_id: applicationId, service_id: serviceId } },
          body: patch,
          signal,
        }),
      ),

    createServiceVersion: (applicationId, serviceId, body, createOptions) => {
      const header = keyOf(createOptions);
      const path = "/applications/{application_id}/services/{service_id}/versions/" as const;
      return ok(create("createServiceVersion", path), (signal) =>
        portal.POST(path, {
          params: { path: { application_id: applicationId, service_id: serviceId }, header },
          body,
          signal,
        }),
      );
    },

    updateServiceVersion: (applicationId, serviceId, serviceVersionId, patch) => {
      const path = "/applications/{application_id}/services/{service_id}/versions/{service_version_id}/" as const;
      return ok(write("updateServiceVersion", "PATCH", path), (signal) =>
        portal.PATCH(path, {
          params: {
            path: { application_id: applicationId, service_id: serviceId, service_version_id: serviceVersionId },
          },
          body: patch,
          signal,
        }),
      );
    },

    deprecateServiceVersion: (applicationId, serviceId, serviceVersionId, createOptions) => {
      const header = keyOf(createOptions);
      const path = "/applications/{application_id}/services/{service_id}/versions/{service_version_id}/deprecate/" as const;
      return ok(create("deprecateServiceVersion", path), (signal) =>
        portal.POST(path, {
          params: {
            path: { application_id: applicationId, service_id: serviceId, service_version_id: serviceVersionId },
            header,
          },
          signal,
        }),
      );
    },

    openReviewRequest: (applicationId, body, createOptions) => {
      const header = keyOf(createOptions);
      const path = "/applications/{application_id}/review_requests/" as const;
      return ok(create("openReviewRequest", path), (signal) =>
        portal.POST(path, { params: { path: { application_id: applicationId }, header }, body, signal }),
      );
    },

    getReviewRequest: (applicationId, reviewRequestId) => {
      const path = "/applications/{application_id}/review_requests/{review_request_id}/" as const;
      return ok(read("getReviewRequest", path), (signal) =>
        portal.GET(path, {
          params: { path: { application_id: applicationId, review_request_id: reviewRequestId } },
          signal,
        }),
      );
    },

    listReviewRequests: (applicationId, listOptions) => {
      const path = "/applications/{application_id}/review_requests/" as const;
      return paginate(
        (query) =>
          ok(read("listReviewRequests", path), (signal) =>
            portal.GET(path, { params: { path: { application_id: applicationId }, query }, signal }),
          ),
        listOptions?.pageSize,
      );
    },

    listIntegrationLinks: (applicationId) => {
      const path = "/applications/{application_id}/integration_links/" as const;
      return ok(read("listIntegrationLinks", path), (signal) =>
        portal.GET(path, { params: { path: { application_id: applicationId } }, signal }),
      );
    },

    listActivations: (environment, listOptions) => {
      const path = "/environments/{environment}/activations/" as const;
      const filter = listOptions?.serviceVersionId === undefined ? {} : { service_version_id: listOptions.serviceVersionId };
      return paginate(
        (query) =>
          ok(read("listActivations", path), (signal) =>
            portal.GET(path, { params: { path: { environment }, query: { ...filter, ...query } }, signal }),
          ),
        listOptions?.pageSize,
      );
    },

    getActivation: (environment, activationId) => {
      const path = "/environments/{environment}/activations/{activation_id}/" as const;
      return ok(read("getActivation", path), (signal) =>
        portal.GET(path, { params: { path: { environment, activation_id: activationId } }, signal }),
      );
    },

    generateCredentials: (environment, activationId, createOptions) => {
      const header = keyOf(createOptions);
      const path = "/environments/{environment}/activations/{activation_id}/credentials/" as const;
      return ok(create("generateCredentials", path), (signal) =>
        portal.POST(path, { params: { path: { environment, activation_id: activationId }, header }, signal }),
      );
    },

    listCredentials: (environment, activationId, listOptions) => {
      const path = "/environments/{environment}/activations/{activation_id}/credentials/" as const;
      return paginate(
        (query) =>
          ok(read("listCredentials", path), (signal) =>
            portal.GET(path, { params: { path: { environment, activation_id: activationId }, query }, signal }),
          ),
        listOptions?.pageSize,
      );
    },

    revokeCredentials: (environment, activationId, credentialsId) => {
      const path = "/environments/{environment}/activations/{activation_id}/credentials/{credentials_id}/" as const;
      return ok(write("revokeCredentials", "DELETE", path), (signal) =>
        portal.DELETE(path, {
          params: { path: { environment, activation_id: activationId, credentials_id: credentialsId } },
          signal,
        }),
      );
    },

    checkCredentials: async (credentials) => {
      const path = "/accounts/users/api/integrationuseragent/{activation_id}/" as const;
      const { status } = await call(
        read("checkCredentials", path),
        (signal) =>
          core.GET(path, {
            params: { path: { activation_id: credentials.client_object_id } },
            headers: coreApiHeaders(credentials),
            signal,
          }),
        (answered) => answered === 401,
      );
      return status !== 401;
    },
  };
}

/** Client options from `PIGELLO_PORTAL_URL` and `PIGELLO_PORTAL_TOKEN`, with a clear error when one is missing. */
export function portalClientOptionsFromEnv(env: Record<string, string | undefined> = process.env): Pick<PortalClientOptions, "baseUrl" | "token"> {
  const baseUrl = env.PIGELLO_PORTAL_URL;
  const token = env.PIGELLO_PORTAL_TOKEN;
  const missing = [baseUrl ? undefined : "PIGELLO_PORTAL_URL", token ? undefined : "PIGELLO_PORTAL_TOKEN"].filter(Boolean);
  if (!baseUrl || !token) {
    throw new Error(`Set ${missing.join(" and ")} to reach the Pigello Portal (npm run portal:emulator prints both for the local emulator).`);
  }
  return { baseUrl, token };
}

/** The seven Core API authentication headers (public names, PIGELLO.md). */
export function coreApiHeaders(credentials: CoreApiCredentials): Record<string, string> {
  return {
    "X-PIGELLO-CUSTOMER-ID": credentials.customer_id,
    "X-PIGELLO-APPLICATION-ID": credentials.application_id,
    "X-PIGELLO-SERVICE-ID": credentials.service_id,
    "X-PIGELLO-SERVICE-VERSION-ID": credentials.service_version_id,
    "X-PIGELLO-CLIENT-CT": credentials.client_ct,
    "X-PIGELLO-CLIENT-ENTITY": credentials.client_object_id,
    "X-PIGELLO-CLIENT-SECRET": credentials.client_secret,
  };
}

function failureKind(failure: unknown): string {
  if (failure instanceof Error && failure.name === "TimeoutError") return "timeout";
  return "network error";
}

function toPortalError(
  operation: string,
  result: AttemptResult<unknown> | undefined,
  failure: unknown,
  retryAfterMs?: number,
): PortalError {
  if (result === undefined) {
    const kind = failureKind(failure);
    return new PortalError({
      status: 0,
      code: kind === "timeout" ? "timeout" : "network_error",
      portalMessage: kind === "timeout" ? "The Portal did not answer in time" : "The Portal could not be reached",
      operation,
      cause: failure,
    });
  }
  const body = isErrorBody(result.error) ? result.error : undefined;
  return new PortalError({
    status: result.response.status,
    code: body?.code ?? `http_${result.response.status}`,
    portalMessage: body?.message ?? (result.response.statusText || "The Portal answered with an error"),
    operation,
    details: body?.details,
    retryAfterMs,
  });
}

function isErrorBody(value: unknown): value is PortalErrorBody {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}
