// The Portal emulator: a test and local-run double of the assumed Portal contract, never a
// production fallback. Plain node:http; every request and response is checked against
// docs/portal-api.yaml.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { Activation, Application, ReviewRequest, Service } from "../types.js";
import { issuesOf, loadPortalContract, type OperationContract, type PortalContract, type ValidationIssue } from "./contract.js";
import { FaultInjector, type FaultSettings, type TargetedFault } from "./faults.js";
import { DEFAULT_PAGE_SIZE, PortalModel, Refusal, type ActivateInput, type PageRequest, type ReviewDecision } from "./portal-model.js";
import { emptyState, fileStore, type AccountSeed, type EmulatorState, type StateStore, type StoredAccount } from "./state.js";

export const DEMO_TOKEN = "pigello-emulator-demo-token";
const DEFAULT_ACCOUNTS: AccountSeed[] = [{ name: "demo", tokens: [DEMO_TOKEN] }];
const MAX_BODY_BYTES = 1_000_000;
const MAX_LOGGED_REQUESTS = 10_000;

export interface PortalEmulatorOptions {
  /** A JSON file path (loaded if present, rewritten atomically after each change), or an initial in-memory state. Default: empty, in memory. */
  state?: string | EmulatorState;
  /** Accounts and their Portal tokens; default one `demo` account with DEMO_TOKEN. Added to a loaded state when their tokens are unknown. */
  accounts?: AccountSeed[];
  faults?: Partial<FaultSettings>;
  /** The contract document; default docs/portal-api.yaml. */
  contract?: URL | string;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number | "dropped";
  operation?: string;
}

export interface ContractViolation {
  operation: string;
  status: number;
  issues: ValidationIssue[];
}

export interface EmulatorControl {
  /** A Pigello reviewer's decision on a pending review request; only `approve` removes draft status. */
  decideReview(reviewRequestId: string, decision: ReviewDecision, comment: string): ReviewRequest;
  /** A customer activating a version in an environment (created on first use) for one activation object. */
  activate(input: ActivateInput): Activation;
  deactivate(environment: string, activationId: string): Activation;
  createAccount(name: string, token?: string): { id: string; name: string; token: string };
  /** Merges fault settings (latency, error rate, next N 429s, next N dropped connections). */
  setFaults(settings: Partial<FaultSettings>): FaultSettings;
  /** Fails requests matching a method and path glob, e.g. the 2nd `POST /applications/`. */
  addFault(fault: TargetedFault): void;
  resetFaults(): void;
  /** Every Portal request so far (control requests excluded). */
  requests(): RequestRecord[];
  /** Responses the emulator refused to send because they broke the contract (should stay empty). */
  contractViolations(): ContractViolation[];
  snapshot(): EmulatorState;
  /** Forgets everything but the accounts. */
  reset(): void;
}

export interface PortalEmulator {
  /** `http://127.0.0.1:<port>` once listening. */
  readonly url: string;
  readonly accounts: { id: string; name: string; token: string }[];
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  control: EmulatorControl;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function createPortalEmulator(options: PortalEmulatorOptions = {}): PortalEmulator {
  const contract: PortalContract = loadPortalContract(options.contract);
  const store: StateStore | undefined = typeof options.state === "string" ? fileStore(options.state) : undefined;
  const seeds = options.accounts ?? DEFAULT_ACCOUNTS;
  const initial =
    typeof options.state === "object" ? structuredClone(options.state) : (store?.load() ?? emptyState(seeds));
  for (const seed of seeds) {
    const known = initial.accounts.some((account) => seed.tokens.some((token) => account.tokens.includes(token)));
    if (!known) initial.accounts.push(...emptyState([seed]).accounts);
  }
  const model = new PortalModel(initial);
  const faults = new FaultInjector();
  if (options.faults) faults.update(options.faults);
  const requestLog: RequestRecord[] = [];
  // A long-running local emulator must not grow without bound; tests never come near the cap.
  const logRequest = (record: RequestRecord) => {
    requestLog.push(record);
    if (requestLog.length > MAX_LOGGED_REQUESTS) requestLog.splice(0, requestLog.length - MAX_LOGGED_REQUESTS);
  };
  const violations: ContractViolation[] = [];
  let baseUrl: string | undefined;
  let server: Server | undefined;

  const persist = () => store?.save(model.state);
  const mutating = <T>(change: () => T): T => {
    const result = change();
    persist();
    return result;
  };

  const control: EmulatorControl = {
    decideReview: (id, decision, comment) => mutating(() => model.decideReview(id, decision, comment)),
    activate: (input) => mutating(() => model.activate(input)),
    deactivate: (environment, id) => mutating(() => model.deactivate(environment, id)),
    createAccount: (name, token) => mutating(() => model.createAccount(name, token)),
    setFaults: (settings) => faults.update(settings),
    addFault: (fault) => faults.add(fault),
    resetFaults: () => faults.reset(),
    requests: () => requestLog.map((record) => ({ ...record })),
    contractViolations: () => violations.map((violation) => ({ ...violation })),
    snapshot: () => structuredClone(model.state),
    reset: () =>
      mutating(() => {
        model.state = { ...emptyState([]), accounts: model.state.accounts };
        requestLog.length = 0;
        violations.length = 0;
      }),
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? "GET").toUpperCase();
    const url = new URL(request.url ?? "/", "http://emulator.invalid");
    if (url.pathname.startsWith("/_control/")) {
      const raw = await readBody(request);
      send(response, handleControl(method, url.pathname, raw));
      return;
    }

    const fault = faults.decide(method, url.pathname);
    if (faults.settings.latencyMs > 0) await delay(faults.settings.latencyMs);
    if (fault.kind === "drop") {
      logRequest({ method, path: url.pathname, status: "dropped" });
      request.socket.destroy();
      return;
    }
    if (fault.kind === "error" || fault.kind === "rate_limit") {
      const reply: Reply =
        fault.kind === "error"
          ? { status: fault.status, body: { code: "injected_fault", message: "The emulator injected a server error." } }
          : {
              status: 429,
              headers: { "retry-after": String(fault.retryAfterSeconds) },
              body: { code: "rate_limited", message: `Too many requests; retry after ${fault.retryAfterSeconds} s.` },
            };
      logRequest({ method, path: url.pathname, status: reply.status });
      send(response, reply);
      return;
    }

    const raw = await readBody(request);
    const { reply, operation } = handlePortal(method, url, request.headers, raw);
    if (fault.kind === "drop_response") {
      // The work is done and kept; only the answer is lost, as when a connection dies mid-response.
      logRequest({ method, path: url.pathname, status: "dropped", operation });
      request.socket.destroy();
      return;
    }
    logRequest({ method, path: url.pathname, status: reply.status, operation });
    send(response, reply);
  }

  function handlePortal(
    method: string,
    url: URL,
    headers: IncomingMessage["headers"],
    raw: string,
  ): { reply: Reply; operation?: string } {
    const matched = contract.match(method, url.pathname);
    if ("error" in matched) {
      return {
        reply:
          matched.error === 404
            ? errorReply(404, "not_found", `No Portal endpoint at ${url.pathname} (paths end with a slash).`)
            : errorReply(405, "method_not_allowed", `${method} is not allowed on ${url.pathname}.`),
      };
    }
    const operation = matched.operation;
    let reply: Reply;
    try {
      reply = answer(operation, matched.params, url, headers, raw);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      reply = errorReply(error.status, error.code, error.message, error.details);
    }
    return { reply: checkResponse(operation, reply), operation: operation.operationId };
  }

  function answer(
    operation: OperationContract,
    params: Record<string, string>,
    url: URL,
    headers: IncomingMessage["headers"],
    raw: string,
  ): Reply {
    let account: StoredAccount | undefined;
    if (operation.needsPortalToken) {
      const token = /^Bearer (.+)$/i.exec(headerValue(headers, "authorization") ?? "")?.[1];
      account = token === undefined ? undefined : model.accountForToken(token);
      if (account === undefined) throw new Refusal(401, "unauthorized", "A valid Portal token is required (Authorization: Bearer <token>).");
    }

    const request = validateRequest(operation, params, url, headers, raw);
    const idempotencyKey = headerValue(headers, "idempotency-key");
    const fingerprint = operation.method === "POST" && idempotencyKey !== undefined && account !== undefined
      ? { account_id: account.id, key: idempotencyKey, method: "POST", path: url.pathname, body_sha256: sha256(raw.trim()) }
      : undefined;
    if (fingerprint) {
      const earlier = model.state.idempotent_responses.find(
        (stored) => stored.account_id === fingerprint.account_id && stored.key === fingerprint.key,
      );
      if (earlier !== undefined) {
        if (earlier.path !== fingerprint.path || earlier.body_sha256 !== fingerprint.body_sha256) {
          throw new Refusal(409, "idempotency_key_reused", `Idempotency-Key "${fingerprint.key}" was already used for a different request (${earlier.method} ${earlier.path}); use a new key for a new request.`);
        }
        return { status: earlier.status, body: earlier.body, headers: { "idempotent-replayed": "true" } };
      }
    }

    const reply = dispatch(operation.operationId, account, request);
    if (fingerprint && reply.status >= 200 && reply.status < 300) {
      model.state.idempotent_responses.push({ ...fingerprint, status: reply.status, body: reply.body });
    }
    if (operation.method !== "GET") persist();
    return reply;
  }

  function dispatch(operationId: string, account: StoredAccount | undefined, request: ValidRequest): Reply {
    const p = request.params;
    const need = (): StoredAccount => {
      if (account === undefined) throw new Refusal(401, "unauthorized", "A valid Portal token is required.");
      return account;
    };
    const param = (name: string): string => p[name] ?? "";
    const body = request.body as never;
    switch (operationId) {
      case "listApplications":
        return ok(model.listApplications(need(), request.page));
      case "createApplication":
        return created(model.createApplication(need(), body));
      case "getApplication":
        return ok(model.getApplication(need(), param("application_id")));
      case "updateApplication":
        return ok(model.updateApplication(need(), param("application_id"), body));
      case "createService":
        return created(model.createService(need(), param("application_id"), body));
      case "updateService":
        return ok(model.updateService(need(), param("application_id"), param("service_id"), body));
      case "createServiceVersion":
        return created(model.createServiceVersion(need(), param("application_id"), param("service_id"), body));
      case "updateServiceVersion":
        return ok(model.updateServiceVersion(need(), param("application_id"), param("service_id"), param("service_version_id"), body));
      case "deprecateServiceVersion":
        return ok(model.deprecateServiceVersion(need(), param("application_id"), param("service_id"), param("service_version_id")));
      case "listReviewRequests":
        return ok(model.listReviewRequests(need(), param("application_id"), request.page));
      case "openReviewRequest":
        return created(model.openReviewRequest(need(), param("application_id"), body));
      case "getReviewRequest":
        return ok(model.getReviewRequest(need(), param("application_id"), param("review_request_id")));
      case "listIntegrationLinks":
        return ok(model.listIntegrationLinks(need(), param("application_id"), baseUrl ?? "http://127.0.0.1"));
      case "listActivations":
        return ok(model.listActivations(need(), param("environment"), request.query.service_version_id as string | undefined, request.page));
      case "getActivation":
        return ok(model.getActivation(need(), param("environment"), param("activation_id")));
      case "generateCredentials":
        return created(model.generateCredentials(need(), param("environment"), param("activation_id")));
      case "listCredentials":
        return ok(model.listCredentials(need(), param("environment"), param("activation_id"), request.page));
      case "revokeCredentials":
        return ok(model.revokeCredentials(need(), param("environment"), param("activation_id"), param("credentials_id")));
      case "checkCredentials":
        return ok(model.checkCoreCredentials(param("activation_id"), request.headers));
      default:
        throw new Error(`The emulator does not implement operation ${operationId}`);
    }
  }

  function checkResponse(operation: OperationContract, reply: Reply): Reply {
    const schema = operation.responses.get(reply.status);
    let issues: ValidationIssue[] = [];
    if (schema === undefined) {
      issues = [{ path: "status", message: `status ${reply.status} is not declared for ${operation.operationId}` }];
    } else if (schema !== null) {
      const result = schema.safeParse(reply.body);
      if (!result.success) issues = issuesOf(result.error, "response");
    }
    if (issues.length === 0) return reply;
    // A response that breaks the contract is an emulator bug: refuse to send it.
    violations.push({ operation: operation.operationId, status: reply.status, issues });
    return errorReply(500, "emulator_contract_violation", `The emulator produced a ${reply.status} response for ${operation.operationId} that breaks docs/portal-api.yaml.`, issues);
  }

  function handleControl(method: string, pathname: string, raw: string): Reply {
    try {
      const body = raw.trim() === "" ? {} : (JSON.parse(raw) as unknown);
      const parse = <T>(schema: z.ZodType<T>): T => {
        const result = schema.safeParse(body);
        if (!result.success) throw new ControlInputError(issuesOf(result.error, "body"));
        return result.data;
      };
      const route = `${method} ${pathname}`;
      let match: RegExpExecArray | null;
      if ((match = /^POST \/_control\/review_requests\/([^/]+)\/decision\/$/.exec(route))) {
        const input = parse(DecisionInput);
        return ok(control.decideReview(match[1] ?? "", input.decision, input.comment));
      }
      if ((match = /^POST \/_control\/environments\/([^/]+)\/activations\/$/.exec(route))) {
        const input = parse(ActivateBody);
        return created(control.activate({ environment: decodeURIComponent(match[1] ?? ""), ...input }));
      }
      if ((match = /^POST \/_control\/environments\/([^/]+)\/activations\/([^/]+)\/deactivate\/$/.exec(route))) {
        return ok(control.deactivate(decodeURIComponent(match[1] ?? ""), match[2] ?? ""));
      }
      if ((match = /^GET \/_control\/environments\/([^/]+)\/integrations\/([^/]+)\/$/.exec(route))) {
        const page: { environment: string; application: Application; service: Service } = model.integrationPage(decodeURIComponent(match[1] ?? ""), match[2] ?? "");
        return ok(page);
      }
      if (route === "POST /_control/accounts/") {
        const input = parse(AccountInput);
        return created(control.createAccount(input.name, input.token));
      }
      if (route === "GET /_control/faults/") return ok(faults.settings);
      if (route === "PATCH /_control/faults/") return ok(control.setFaults(parse(FaultSettingsInput)));
      if (route === "POST /_control/faults/targeted/") {
        control.addFault(parse(TargetedFaultInput));
        return { status: 204 };
      }
      if (route === "DELETE /_control/faults/") {
        control.resetFaults();
        return { status: 204 };
      }
      if (route === "GET /_control/requests/") return ok(control.requests());
      if (route === "GET /_control/violations/") return ok(control.contractViolations());
      if (route === "GET /_control/state/") return ok(control.snapshot());
      if (route === "POST /_control/reset/") {
        control.reset();
        return { status: 204 };
      }
      return errorReply(404, "not_found", `No control endpoint ${route}; see docs/portal.md.`);
    } catch (error) {
      if (error instanceof Refusal) return errorReply(error.status, error.code, error.message, error.details);
      if (error instanceof ControlInputError) return errorReply(422, "invalid_request", "The control request is invalid.", error.issues);
      if (error instanceof SyntaxError) return errorReply(422, "invalid_json", "The control request body is not JSON.");
      throw error;
    }
  }

  function validateRequest(
    operation: OperationContract,
    params: Record<string, string>,
    url: URL,
    headers: IncomingMessage["headers"],
    raw: string,
  ): ValidRequest {
    const issues: ValidationIssue[] = [];
    const pathResult = operation.pathParams.safeParse(params);
    if (!pathResult.success) issues.push(...issuesOf(pathResult.error, "path"));

    const query: Record<string, unknown> = {};
    for (const [name, value] of url.searchParams) {
      if (name in query) issues.push({ path: `query.${name}`, message: "given more than once" });
      query[name] = operation.integerQueryParams.has(name) && /^-?\d+$/.test(value) ? Number(value) : value;
    }
    const queryResult = operation.queryParams.safeParse(query);
    if (!queryResult.success) issues.push(...issuesOf(queryResult.error, "query"));
    const hasPage = "_page" in query;
    if (hasPage !== "_page_size" in query) {
      issues.push({ path: hasPage ? "query._page_size" : "query._page", message: "_page and _page_size must be given together" });
    }

    const headerValues: Record<string, string | undefined> = {};
    for (const [name, { schema, required }] of operation.headerParams) {
      const value = headerValue(headers, name);
      if (value === undefined) {
        if (required) issues.push({ path: `header.${name}`, message: "required" });
        continue;
      }
      const result = schema.safeParse(value);
      if (!result.success) issues.push(...issuesOf(result.error, `header.${name}`));
    }
    for (const name of Object.keys(headers)) {
      if (name.startsWith("x-pigello-")) headerValues[name] = headerValue(headers, name);
    }

    let body: unknown;
    if (raw.trim() !== "") {
      if (operation.requestBody === undefined) {
        issues.push({ path: "body", message: `${operation.operationId} takes no request body` });
      } else if (!/^application\/json\b/i.test(headerValue(headers, "content-type") ?? "")) {
        issues.push({ path: "header.content-type", message: "must be application/json" });
      } else {
        try {
          body = JSON.parse(raw);
        } catch {
          issues.push({ path: "body", message: "not valid JSON" });
        }
      }
    }
    if (operation.requestBody !== undefined && issues.every((issue) => !issue.path.startsWith("body"))) {
      if (body === undefined) {
        if (operation.requestBody.required) issues.push({ path: "body", message: "a JSON body is required" });
      } else {
        const result = operation.requestBody.schema.safeParse(body);
        if (!result.success) issues.push(...issuesOf(result.error, "body"));
      }
    }

    if (issues.length > 0) {
      const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
      throw new Refusal(422, "invalid_request", `The request does not match the Portal contract (${operation.operationId}): ${summary}`, issues);
    }
    const page: PageRequest = hasPage
      ? { page: Number(query._page), pageSize: Number(query._page_size) }
      : { page: 1, pageSize: DEFAULT_PAGE_SIZE };
    return { params, query, headers: headerValues, body, page };
  }

  return {
    get url() {
      if (baseUrl === undefined) throw new Error("The Portal emulator is not listening yet; call listen() first.");
      return baseUrl;
    },
    accounts: model.state.accounts.map((account) => ({ id: account.id, name: account.name, token: account.tokens[0] ?? "" })),
    control,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        const created = createServer((request, response) => {
          handle(request, response).catch((error: unknown) => {
            if (error instanceof BodyTooLargeError) {
              send(response, errorReply(413, "body_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`));
              return;
            }
            send(response, errorReply(500, "emulator_error", error instanceof Error ? error.message : String(error)));
          });
        });
        created.once("error", reject);
        created.listen(port, host, () => {
          const address = created.address() as AddressInfo;
          server = created;
          baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
          resolve(baseUrl);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (server === undefined) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
        server = undefined;
      });
    },
  };
}

interface ValidRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  body: unknown;
  page: PageRequest;
}

class BodyTooLargeError extends Error {}

class ControlInputError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super("invalid control request");
  }
}

const DecisionInput = z.object({
  decision: z.enum(["approve", "request_changes", "reject"]),
  comment: z.string().max(5000).default(""),
}).strict();
const ActivateBody = z.object({
  service_version_id: z.uuid(),
  activation_object_id: z.uuid(),
  activation_variables: z.record(z.string(), z.string()).optional(),
}).strict();
const AccountInput = z.object({ name: z.string().min(1), token: z.string().min(8).optional() }).strict();
const FaultSettingsInput = z.object({
  latencyMs: z.number().int().min(0).max(60_000),
  errorRate: z.number().min(0).max(1),
  rateLimitNext: z.number().int().min(0),
  retryAfterSeconds: z.number().int().min(0),
  dropNext: z.number().int().min(0),
}).partial().strict();
const TargetedFaultInput = z.object({
  kind: z.enum(["error", "rate_limit", "drop", "drop_response"]),
  method: z.string().optional(),
  path: z.string().startsWith("/"),
  skip: z.number().int().min(0).optional(),
  times: z.number().int().min(1).optional(),
  status: z.number().int().min(500).max(599).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
}).strict();

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function created(body: unknown): Reply {
  return { status: 201, body };
}

function errorReply(status: number, code: string, message: string, details?: ValidationIssue[]): Reply {
  return { status, body: details === undefined ? { code, message } : { code, message, details } };
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers).end();
    return;
  }
  response.writeHead(reply.status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(reply.body));
}

function headerValue(headers: IncomingMessage["headers"], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        request.removeAllListeners("data");
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
