// The emulator's whole world as one JSON-serialisable value, kept in memory or in a file.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type {
  Activation,
  ActivationLevel,
  ActivationVariableDefinition,
  ReviewRequest,
  Visibility,
} from "../types.js";

export interface StoredAccount {
  id: string;
  name: string;
  tokens: string[];
}

export interface StoredApplication {
  id: string;
  name: string;
  description: string;
  visibility: Visibility;
  shared_with: string[];
  is_draft: boolean;
  owner_account_id: string;
  created_at: string;
  updated_at: string;
}

export interface StoredService {
  id: string;
  application_id: string;
  key: string;
  name: string;
  description: string;
  activation_level: ActivationLevel;
  created_at: string;
}

export interface StoredVersion {
  id: string;
  service_id: string;
  version: number;
  description: string;
  permissions: string[];
  configuration: Record<string, unknown>;
  activation_level: ActivationLevel;
  activation_variables: ActivationVariableDefinition[];
  is_deprecated: boolean;
  deprecated_at: string | null;
  created_at: string;
}

export interface StoredEnvironment {
  name: string;
  customer_id: string;
  created_at: string;
}

export interface StoredCredentials {
  id: string;
  environment: string;
  activation_id: string;
  created_at: string;
  revoked_at: string | null;
  customer_id: string;
  application_id: string;
  service_id: string;
  service_version_id: string;
  client_ct: string;
  client_object_id: string;
  /** Only a hash: like the Portal, the emulator cannot show a secret twice. */
  client_secret_sha256: string;
}

export interface StoredIdempotentResponse {
  account_id: string;
  key: string;
  method: string;
  path: string;
  body_sha256: string;
  status: number;
  body: unknown;
}

export interface EmulatorState {
  accounts: StoredAccount[];
  applications: StoredApplication[];
  services: StoredService[];
  versions: StoredVersion[];
  review_requests: ReviewRequest[];
  environments: StoredEnvironment[];
  activations: Activation[];
  credentials: StoredCredentials[];
  idempotent_responses: StoredIdempotentResponse[];
}

export interface AccountSeed {
  id?: string;
  name: string;
  tokens: string[];
}

export const SANDBOX_ENVIRONMENT = "sandbox";

export function emptyState(accounts: AccountSeed[]): EmulatorState {
  return {
    accounts: accounts.map((account) => ({ id: account.id ?? randomUUID(), name: account.name, tokens: [...account.tokens] })),
    applications: [],
    services: [],
    versions: [],
    review_requests: [],
    environments: [{ name: SANDBOX_ENVIRONMENT, customer_id: randomUUID(), created_at: new Date().toISOString() }],
    activations: [],
    credentials: [],
    idempotent_responses: [],
  };
}

/** Where the state lives between requests. */
export interface StateStore {
  load(): EmulatorState | undefined;
  save(state: EmulatorState): void;
}

export function memoryStore(): StateStore {
  let saved: string | undefined;
  return {
    load: () => (saved === undefined ? undefined : (JSON.parse(saved) as EmulatorState)),
    save: (state) => {
      saved = JSON.stringify(state);
    },
  };
}

/** A JSON file, replaced atomically (write a sibling, then rename) so a crash never leaves half a file. */
export function fileStore(path: string): StateStore {
  return {
    load: () => (existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as EmulatorState) : undefined),
    save: (state) => {
      mkdirSync(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(temporary, JSON.stringify(state, null, 2), "utf8");
      renameSync(temporary, path);
    },
  };
}
