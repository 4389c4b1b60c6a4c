// Injected faults: what a real network and a busy Portal do to a client, on demand.

export type FaultKind =
  /** Answer 5xx without touching the state. */
  | "error"
  /** Answer 429 with Retry-After without touching the state. */
  | "rate_limit"
  /** Destroy the socket before handling: the request never reached the Portal. */
  | "drop"
  /** Handle the request, then destroy the socket: the Portal did the work but the answer is lost. */
  | "drop_response";

export interface TargetedFault {
  kind: FaultKind;
  /** Any method when absent. */
  method?: string;
  /** A path glob: `*` matches within one segment, `**` across segments, e.g. `/applications/` or `/applications/**`. */
  path: string;
  /** Matching requests to let through first: `skip: 1` fails the 2nd matching request. */
  skip?: number;
  /** How many matching requests fail once the skipped ones passed; default 1. */
  times?: number;
  /** For `error`; default 503. */
  status?: number;
  /** For `rate_limit`; default 1. */
  retryAfterSeconds?: number;
}

export interface FaultSettings {
  /** Added to every Portal request. */
  latencyMs: number;
  /** Share (0 to 1) of Portal requests answered 503. */
  errorRate: number;
  /** The next N Portal requests answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext: number;
  retryAfterSeconds: number;
  /** The next N Portal connections are destroyed before an answer. */
  dropNext: number;
}

export const NO_FAULTS: FaultSettings = { latencyMs: 0, errorRate: 0, rateLimitNext: 0, retryAfterSeconds: 1, dropNext: 0 };

export type FaultDecision =
  | { kind: "none" }
  | { kind: "error"; status: number }
  | { kind: "rate_limit"; retryAfterSeconds: number }
  | { kind: "drop" }
  | { kind: "drop_response" };

interface ArmedFault extends TargetedFault {
  matcher: RegExp;
  seen: number;
  fired: number;
}

export class FaultInjector {
  settings: FaultSettings = { ...NO_FAULTS };
  private targeted: ArmedFault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  update(settings: Partial<FaultSettings>): FaultSettings {
    this.settings = { ...this.settings, ...settings };
    return this.settings;
  }

  add(fault: TargetedFault): void {
    this.targeted.push({ ...fault, matcher: globToRegExp(fault.path), seen: 0, fired: 0 });
  }

  reset(): void {
    this.settings = { ...NO_FAULTS };
    this.targeted = [];
  }

  /** Decides the fate of one Portal request; counters move only for the rule that matched. */
  decide(method: string, pathname: string): FaultDecision {
    for (const fault of this.targeted) {
      if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!fault.matcher.test(pathname)) continue;
      const times = fault.times ?? 1;
      if (fault.fired >= times) continue;
      fault.seen += 1;
      if (fault.seen <= (fault.skip ?? 0)) continue;
      fault.fired += 1;
      return decisionFor(fault);
    }
    if (this.settings.dropNext > 0) {
      this.settings.dropNext -= 1;
      return { kind: "drop" };
    }
    if (this.settings.rateLimitNext > 0) {
      this.settings.rateLimitNext -= 1;
      return { kind: "rate_limit", retryAfterSeconds: this.settings.retryAfterSeconds };
    }
    if (this.settings.errorRate > 0 && this.random() < this.settings.errorRate) {
      return { kind: "error", status: 503 };
    }
    return { kind: "none" };
  }
}

function decisionFor(fault: TargetedFault): FaultDecision {
  switch (fault.kind) {
    case "error":
      return { kind: "error", status: fault.status ?? 503 };
    case "rate_limit":
      return { kind: "rate_limit", retryAfterSeconds: fault.retryAfterSeconds ?? 1 };
    case "drop":
      return { kind: "drop" };
    case "drop_response":
      return { kind: "drop_response" };
  }
}

export function globToRegExp(glob: string): RegExp {
  let pattern = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] ?? "";
    if (char === "*" && glob[index + 1] === "*") {
      pattern += ".*";
      index++;
    } else if (char === "*") {
      pattern += "[^/]*";
    } else {
      pattern += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${pattern}$`);
}
