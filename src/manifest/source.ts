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

/** Maps JSON Pointers to source positions for one parsed YAML document. */
export class PositionIndex {
  private readonly spans = new Map<string, NodeSpan>();

  constructor(
    private readonly lineCounter: LineCounter,
    private readonly textLength: number,
  ) {}

  record(pointer: string, span: NodeSpan): void {
    this.spans.set(pointer, span);
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

  private nearest(pointer: string): NodeSpan {
    let current: string | undefined = pointer;
    while (current !== undefined) {
      const span = this.spans.get(current);
      if (span !== undefined) return span;
      current = parentPointer(current);
    }
    return { start: 0, end: 0 };
  }

  private toPosition(start: number, end: number): Position {
    const from = this.lineCounter.linePos(clamp(start, this.textLength));
    const to = this.lineCounter.linePos(clamp(Math.max(end, start), this.textLength));
    return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
  }
}

function clamp(offset: number, length: number): number {
  return Math.min(Math.max(offset, 0), length);
}

export interface ParsedYaml {
  document: Document;
  index: PositionIndex;
  forbiddenKeys: ForbiddenKey[];
}

/** Parses YAML and indexes every node by JSON Pointer; aliases are indexed but never followed. */
export function parseYamlWithPositions(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const index = new PositionIndex(lineCounter, text.length);
  const forbiddenKeys: ForbiddenKey[] = [];
  if (document.contents !== null) {
    // Iterative walk: deeply nested input must not overflow the call stack.
    const pending: Array<{ node: YamlNode; pointer: string }> = [{ node: document.contents, pointer: "" }];
    index.record("", spanOf(document.contents, text.length));
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      const { node, pointer } = item;
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const keyNode = pair.key as YamlNode | null;
          const keyName = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
          const childPointer = `${pointer}/${escapePointerSegment(keyName)}`;
          if (FORBIDDEN_KEYS.has(keyName)) forbiddenKeys.push({ pointer: childPointer, key: keyName });
          const keySpan = keyNode?.range ? { keyStart: keyNode.range[0], keyEnd: keyNode.range[1] } : {};
          const valueNode = pair.value as YamlNode | null;
          const valueSpan =
            valueNode?.range && valueNode.range[1] > valueNode.range[0]
              ? spanOf(valueNode, text.length)
              : keyNode?.range
                ? { start: keyNode.range[0], end: keyNode.range[1] }
                : { start: 0, end: 0 };
          index.record(childPointer, { ...valueSpan, ...keySpan });
          if (valueNode && !isAlias(valueNode)) pending.push({ node: valueNode, pointer: childPointer });
        }
      } else if (isSeq(node)) {
        node.items.forEach((child, position) => {
          const childNode = child as YamlNode | null;
          if (!childNode) return;
          const childPointer = `${pointer}/${position}`;
          index.record(childPointer, spanOf(childNode, text.length));
          if (!isAlias(childNode)) pending.push({ node: childNode, pointer: childPointer });
        });
      }
    }
  }
  return { document, index, forbiddenKeys };
}

function spanOf(node: YamlNode, textLength: number): NodeSpan {
  const range = node.range;
  if (!range) return { start: 0, end: 0 };
  return { start: Math.min(range[0], textLength), end: Math.min(range[1], textLength) };
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
