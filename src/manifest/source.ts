import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import { escapePointerSegment, parentPointer } from "./pointer.js";
import type { Position } from "./types.js";

/** Keys that could reach an object's prototype chain if they ever became properties. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Offsets (0-based, into the decoded text) of one node, and of its key when it is a map value. */
interface NodeSpan {
  start: number;
  end: number;
  keyStart?: number;
  keyEnd?: number;
}

export interface ForbiddenKey {
  pointer: string;
  key: string;
}

/** Parser options shared by the first parse and any re-parse, so both see the same tree. */
function parseYaml(text: string): { document: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  return { document, lineCounter };
}

/**
 * Maps JSON Pointers to source positions for one parsed YAML document.
 *
 * The pointer-to-span map is built on the first lookup, not at parse time: almost every file
 * is valid and most are never asked for a position, and building the map (a string per node)
 * was a large share of validation time. After `release()` the parse tree is dropped, so a
 * validated manifest keeps only its text; a later lookup re-parses it (identical tree, same
 * positions), which costs far less overall than holding a tree per manifest.
 */
export class PositionIndex {
  private document: Document | undefined;
  private lineCounter: LineCounter;
  private spans: Map<string, NodeSpan> | undefined;

  constructor(
    private readonly text: string,
    parsed: { document: Document; lineCounter: LineCounter },
  ) {
    this.document = parsed.document;
    this.lineCounter = parsed.lineCounter;
  }

  /** Drops the parse tree; the text alone is enough to rebuild positions if they are ever needed. */
  release(): void {
    this.document = undefined;
  }

  /** The whole entry (key through value), falling back to the nearest recorded parent. */
  locate(pointer: string): Position {
    const span = this.nearest(pointer);
    return this.toPosition(span.keyStart ?? span.start, span.end);
  }

  /** The key of a map entry (or the node itself for sequence items and the root). */
  locateKey(pointer: string): Position {
    const span = this.nearest(pointer);
    return span.keyStart !== undefined && span.keyEnd !== undefined
      ? this.toPosition(span.keyStart, span.keyEnd)
      : this.toPosition(span.start, span.end);
  }

  /** The value of an entry; for a missing value, the key that introduces it. */
  locateValue(pointer: string): Position {
    const span = this.nearest(pointer);
    return this.toPosition(span.start, span.end);
  }

  offsetToPosition(start: number, end = start): Position {
    return this.toPosition(start, end);
  }

  /** Map keys that could reach a prototype chain, in document order. */
  forbiddenKeys(): ForbiddenKey[] {
    // A pointer-free scan first: the full index is only worth building when there is something to report.
    if (!hasForbiddenKey(this.tree())) return [];
    return indexDocument(this.tree(), this.text.length).forbiddenKeys;
  }

  private tree(): Document {
    if (this.document === undefined) {
      const parsed = parseYaml(this.text);
      this.document = parsed.document;
      this.lineCounter = parsed.lineCounter;
    }
    return this.document;
  }

  private spanMap(): Map<string, NodeSpan> {
    this.spans ??= indexDocument(this.tree(), this.text.length).spans;
    return this.spans;
  }

  private nearest(pointer: string): NodeSpan {
    const spans = this.spanMap();
    let current: string | undefined = pointer;
    while (current !== undefined) {
      const span = spans.get(current);
      if (span !== undefined) return span;
      current = parentPointer(current);
    }
    return { start: 0, end: 0 };
  }

  private toPosition(start: number, end: number): Position {
    const textLength = this.text.length;
    const from = this.lineCounter.linePos(clamp(start, textLength));
    const to = this.lineCounter.linePos(clamp(Math.max(end, start), textLength));
    return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
  }
}

function clamp(offset: number, length: number): number {
  return Math.min(Math.max(offset, 0), length);
}

export interface ParsedYaml {
  document: Document;
  index: PositionIndex;
}

/** Parses YAML; positions are indexed by JSON Pointer on demand (see `PositionIndex`). */
export function parseYamlWithPositions(text: string): ParsedYaml {
  const parsed = parseYaml(text);
  return { document: parsed.document, index: new PositionIndex(text, parsed) };
}

/** The key name as pointers and the forbidden-key check see it. */
function keyNameOf(keyNode: YamlNode | null): string {
  return isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
}

/** Whether any map key anywhere is forbidden; the same traversal as `indexDocument`, minus pointers. */
function hasForbiddenKey(document: Document): boolean {
  if (document.contents === null) return false;
  // Iterative walk: deeply nested input must not overflow the call stack.
  const pending: YamlNode[] = [document.contents];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (FORBIDDEN_KEYS.has(keyNameOf(pair.key as YamlNode | null))) return true;
        const valueNode = pair.value as YamlNode | null;
        if (valueNode && !isAlias(valueNode)) pending.push(valueNode);
      }
    } else if (isSeq(node)) {
      for (const child of node.items) {
        const childNode = child as YamlNode | null;
        if (childNode && !isAlias(childNode)) pending.push(childNode);
      }
    }
  }
  return false;
}

/** Indexes every node by JSON Pointer; aliases are indexed but never followed. */
function indexDocument(document: Document, textLength: number): { spans: Map<string, NodeSpan>; forbiddenKeys: ForbiddenKey[] } {
  const spans = new Map<string, NodeSpan>();
  const forbiddenKeys: ForbiddenKey[] = [];
  if (document.contents === null) return { spans, forbiddenKeys };
  // Iterative walk: deeply nested input must not overflow the call stack.
  const pending: Array<{ node: YamlNode; pointer: string }> = [{ node: document.contents, pointer: "" }];
  spans.set("", spanOf(document.contents, textLength));
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, pointer } = item;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const keyName = keyNameOf(keyNode);
        const childPointer = `${pointer}/${escapePointerSegment(keyName)}`;
        if (FORBIDDEN_KEYS.has(keyName)) forbiddenKeys.push({ pointer: childPointer, key: keyName });
        const keySpan = keyNode?.range ? { keyStart: keyNode.range[0], keyEnd: keyNode.range[1] } : {};
        const valueNode = pair.value as YamlNode | null;
        const valueSpan =
          valueNode?.range && valueNode.range[1] > valueNode.range[0]
            ? spanOf(valueNode, textLength)
            : keyNode?.range
              ? { start: keyNode.range[0], end: keyNode.range[1] }
              : { start: 0, end: 0 };
        spans.set(childPointer, { ...valueSpan, ...keySpan });
        if (valueNode && !isAlias(valueNode)) pending.push({ node: valueNode, pointer: childPointer });
      }
    } else if (isSeq(node)) {
      node.items.forEach((child, position) => {
        const childNode = child as YamlNode | null;
        if (!childNode) return;
        const childPointer = `${pointer}/${position}`;
        spans.set(childPointer, spanOf(childNode, textLength));
        if (!isAlias(childNode)) pending.push({ node: childNode, pointer: childPointer });
      });
    }
  }
  return { spans, forbiddenKeys };
}

function spanOf(node: YamlNode, textLength: number): NodeSpan {
  const range = node.range;
  if (!range) return { start: 0, end: 0 };
  return { start: Math.min(range[0], textLength), end: Math.min(range[1], textLength) };
}

/**
 * Runs `work` (YAML parsing) with `process.env` swapped for a plain-object copy of itself.
 *
 * Why: yaml 2.x's Parser reads `process.env.LOG_TOKENS` once per token (a debug switch), and on
 * Node every `process.env` read is a call into C++ that copies the value out of the environment.
 * For 1,000 manifests that is ~390,000 reads and about a quarter of all parse time. A copy
 * answers the same reads with the same values at ordinary property speed. The swap is
 * synchronous and undone in `finally`, so only the code `work` runs (which only reads the
 * environment) ever sees the copy. Drop this once yaml reads the switch once per parser.
 */
export function withEnvSnapshot<T>(work: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return work();
  } finally {
    process.env = env;
  }
}

export type DecodeResult = { ok: true; text: string } | { ok: false; byteOffset: number; line: number; column: number };

const UTF8_BOM = "\uFEFF";

/** Decodes UTF-8 strictly, reporting where the first invalid byte sequence starts. Drops a BOM. */
export function decodeUtf8(content: string | Uint8Array): DecodeResult {
  if (typeof content === "string") {
    return { ok: true, text: content.startsWith(UTF8_BOM) ? content.slice(1) : content };
  }
  try {
    // TextDecoder drops a leading BOM by default.
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(content) };
  } catch {
    return { ok: false, ...locateInvalidUtf8(content) };
  }
}

function locateInvalidUtf8(bytes: Uint8Array): { byteOffset: number; line: number; column: number } {
  const lenient = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  const encoder = new TextEncoder();
  let byteOffset = 0;
  let line = 1;
  let column = 1;
  for (const character of lenient) {
    const isReplacement = character === "\uFFFD";
    const genuineReplacement =
      isReplacement && bytes[byteOffset] === 0xef && bytes[byteOffset + 1] === 0xbf && bytes[byteOffset + 2] === 0xbd;
    if (isReplacement && !genuineReplacement) return { byteOffset, line, column };
    byteOffset += encoder.encode(character).length;
    if (character === "\n") {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  return { byteOffset, line, column };
}

/** Whether the UTF-8 encoding of `content` is longer than `limit` bytes, encoding only when it matters. */
export function exceedsByteLimit(content: string | Uint8Array, limit: number): boolean {
  if (typeof content !== "string") return content.byteLength > limit;
  // A UTF-16 code unit takes one to three UTF-8 bytes.
  if (content.length > limit) return true;
  if (content.length * 3 <= limit) return false;
  return new TextEncoder().encode(content).byteLength > limit;
}
