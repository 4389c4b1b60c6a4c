// Loads docs/portal-api.yaml once and turns each operation into zod validators, so the emulator
// checks requests and its own responses against the very document the client is generated from.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const DEFAULT_CONTRACT_URL = new URL("../../../docs/portal-api.yaml", import.meta.url);

type JsonObject = Record<string, unknown>;

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface OperationContract {
  operationId: string;
  method: string;
  /** The contract's path template, e.g. `/applications/{application_id}/`. */
  template: string;
  pathParams: z.ZodType;
  queryParams: z.ZodType;
  /** Integer query parameters, converted from their string form before validation. */
  integerQueryParams: Set<string>;
  /** Header parameters by lower-case name. */
  headerParams: Map<string, { schema: z.ZodType; required: boolean }>;
  /** Undefined when the operation takes no body. */
  requestBody: { schema: z.ZodType; required: boolean } | undefined;
  /** Status → body schema (null: no body). */
  responses: Map<number, z.ZodType | null>;
  /** Whether the operation needs the bearer Portal token (false for the Core API read). */
  needsPortalToken: boolean;
}

export interface RouteMatch {
  operation: OperationContract;
  params: Record<string, string>;
}

export interface PortalContract {
  /** The operation for a method and concrete path, or why there is none. */
  match(method: string, pathname: string): RouteMatch | { error: 404 | 405 };
  operations: Map<string, OperationContract>;
}

const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;

// Converting the document takes a noticeable fraction of a second, and it never changes while running.
const loaded = new Map<string, PortalContract>();

export function loadPortalContract(source: URL | string = DEFAULT_CONTRACT_URL): PortalContract {
  const cacheKey = String(source);
  const cached = loaded.get(cacheKey);
  if (cached !== undefined) return cached;
  const contract = buildContract(source);
  loaded.set(cacheKey, contract);
  return contract;
}

function buildContract(source: URL | string): PortalContract {
  const document = parseYaml(readFileSync(source, "utf8")) as JsonObject;
  const resolve = (value: unknown): unknown => inlineRefs(value, document, []);
  const routes: { pattern: RegExp; names: string[]; byMethod: Map<string, OperationContract> }[] = [];
  const operations = new Map<string, OperationContract>();
  const globalSecurity = document.security;

  for (const [template, rawItem] of Object.entries(asObject(document.paths))) {
    const item = resolve(rawItem) as JsonObject;
    const byMethod = new Map<string, OperationContract>();
    for (const method of HTTP_METHODS) {
      const rawOperation = item[method];
      if (rawOperation === undefined) continue;
      const operation = asObject(rawOperation);
      const parameters = [...asArray(item.parameters), ...asArray(operation.parameters)].map(asObject);
      const contract = buildOperation(template, method.toUpperCase(), operation, parameters);
      contract.needsPortalToken = JSON.stringify(operation.security ?? globalSecurity).includes("portal_token");
      byMethod.set(contract.method, contract);
      operations.set(contract.operationId, contract);
    }
    const names: string[] = [];
    const pattern = new RegExp(
      "^" +
        template
          .split(/(\{[^}]+\})/)
          .map((part) => {
            const name = /^\{([^}]+)\}$/.exec(part)?.[1];
            if (name === undefined) return escapeRegExp(part);
            names.push(name);
            return "([^/]+)";
          })
          .join("") +
        "$",
    );
    routes.push({ pattern, names, byMethod });
  }

  return {
    operations,
    match(method, pathname) {
      for (const route of routes) {
        const found = route.pattern.exec(pathname);
        if (found === null) continue;
        const operation = route.byMethod.get(method.toUpperCase());
        if (operation === undefined) return { error: 405 };
        const params: Record<string, string> = {};
        route.names.forEach((name, index) => {
          params[name] = safeDecode(found[index + 1] ?? "");
        });
        return { operation, params };
      }
      return { error: 404 };
    },
  };
}

function buildOperation(template: string, method: string, operation: JsonObject, parameters: JsonObject[]): OperationContract {
  const pathShape: Record<string, z.ZodType> = {};
  const queryShape: Record<string, z.ZodType> = {};
  const integerQueryParams = new Set<string>();
  const headerParams = new Map<string, { schema: z.ZodType; required: boolean }>();
  for (const parameter of parameters) {
    const name = String(parameter.name);
    const schema = toZod(parameter.schema);
    const required = parameter.required === true;
    switch (parameter.in) {
      case "path":
        pathShape[name] = schema;
        break;
      case "query":
        queryShape[name] = required ? schema : schema.optional();
        if (asObject(parameter.schema).type === "integer") integerQueryParams.add(name);
        break;
      case "header":
        headerParams.set(name.toLowerCase(), { schema, required });
        break;
    }
  }

  const body = operation.requestBody === undefined ? undefined : asObject(operation.requestBody);
  const requestBody =
    body === undefined
      ? undefined
      : { schema: toZod(asObject(asObject(asObject(body.content)["application/json"]).schema)), required: body.required === true };

  const responses = new Map<number, z.ZodType | null>();
  for (const [status, rawResponse] of Object.entries(asObject(operation.responses))) {
    const jsonContent = asObject(asObject(asObject(rawResponse).content)["application/json"]);
    responses.set(Number(status), jsonContent.schema === undefined ? null : toZod(jsonContent.schema));
  }

  return {
    operationId: String(operation.operationId),
    method,
    template,
    pathParams: z.object(pathShape).strict(),
    queryParams: z.object(queryShape).strict(),
    integerQueryParams,
    headerParams,
    requestBody,
    responses,
    needsPortalToken: true,
  };
}

// Most operations share the same error and entity schemas; converting each distinct one once keeps start-up fast.
const converted = new Map<string, z.ZodType>();

/** JSON Schema → zod, with a private registry so the contract's `x-` annotations stay out of zod's global one. */
function toZod(schema: unknown): z.ZodType {
  const key = JSON.stringify(schema);
  let zodSchema = converted.get(key);
  if (zodSchema === undefined) {
    zodSchema = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0], { registry: z.registry() });
    converted.set(key, zodSchema);
  }
  return zodSchema;
}

/** Replaces every local `$ref` by the schema it points at (the contract has no recursive schemas). */
function inlineRefs(value: unknown, document: JsonObject, seen: string[]): unknown {
  if (Array.isArray(value)) return value.map((entry) => inlineRefs(entry, document, seen));
  if (typeof value !== "object" || value === null) return value;
  const object = value as JsonObject;
  const ref = object.$ref;
  if (typeof ref === "string") {
    if (seen.includes(ref)) throw new Error(`Recursive $ref ${ref} is not supported by the emulator`);
    const { $ref: _ref, ...siblings } = object;
    const target = inlineRefs(pointer(document, ref), document, [...seen, ref]) as JsonObject;
    return { ...target, ...(inlineRefs(siblings, document, seen) as JsonObject) };
  }
  const copy: JsonObject = {};
  for (const [key, entry] of Object.entries(object)) copy[key] = inlineRefs(entry, document, seen);
  return copy;
}

function pointer(document: JsonObject, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`Only local $refs are supported, got ${ref}`);
  let current: unknown = document;
  for (const segment of ref.slice(2).split("/")) {
    const key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
    current = asObject(current)[key];
    if (current === undefined) throw new Error(`$ref ${ref} points at nothing`);
  }
  return current;
}

export function issuesOf(error: z.ZodError, prefix: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
