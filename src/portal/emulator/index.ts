export { DEMO_TOKEN, createPortalEmulator } from "./server.js";
export type { ContractViolation, EmulatorControl, PortalEmulator, PortalEmulatorOptions, RequestRecord } from "./server.js";
export type { FaultKind, FaultSettings, TargetedFault } from "./faults.js";
export type { ActivateInput, ReviewDecision } from "./portal-model.js";
export type { AccountSeed, EmulatorState } from "./state.js";
