/** RFC 6901 helpers. */

export function escapePointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((segment) => `/${escapePointerSegment(String(segment))}`).join("");
}

export function parentPointer(pointer: string): string | undefined {
  if (pointer === "") return undefined;
  return pointer.slice(0, pointer.lastIndexOf("/"));
}

/** `services[0].activationLevel` — how a field is named in messages. */
export function fieldLabel(path: readonly PropertyKey[]): string {
  let label = "";
  for (const segment of path) {
    if (typeof segment === "number") label += `[${segment}]`;
    else label += label === "" ? String(segment) : `.${String(segment)}`;
  }
  return label === "" ? "the manifest" : label;
}
