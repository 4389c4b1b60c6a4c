import { distance } from "fastest-levenshtein";

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * The known name closest to `name`, if it is close enough to be a plausible typo
 * (`service` → `services`, `activation_level` → `activationLevel`).
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of known) {
    const score = normalise(name) === normalise(candidate) ? 0 : distance(name.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || score < best.score) best = { candidate, score };
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(2, Math.floor(best.candidate.length / 3));
  return best.score <= allowed ? best.candidate : undefined;
}

/** " Did you mean `x`?" or "" — appended to unknown-name messages. */
export function didYouMean(name: string, known: readonly string[]): string {
  const suggestion = closestName(name, known);
  return suggestion === undefined ? "" : `; did you mean \`${suggestion}\`?`;
}
