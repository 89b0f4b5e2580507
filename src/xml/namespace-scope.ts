/**
 * Prefix → namespace URI scopes (Namespaces in XML 1.0 §5–§6). Each element of the tree keeps its scope as its own
 * declarations over its parent's (a chain, nothing copied); a walk through the tree (the parser's, C14N's) keeps the
 * namespaces in scope where it stands as one map, `InScopeNamespaces`, so every lookup is one map read.
 */
import { XML_NS } from "./namespaces";

export interface NamespaceScope {
  readonly bindings: ReadonlyMap<string, string>;
  readonly parent: NamespaceScope | undefined;
}

/** The `xml` prefix, bound by definition (Namespaces in XML 1.0 §3). */
export const XML_SCOPE: NamespaceScope = { bindings: new Map([["xml", XML_NS]]), parent: undefined };

/** An element or attribute prefix no declaration in scope binds (Namespaces in XML 1.0 §5 NSC: Prefix Declared). */
export function undeclaredPrefix(prefix: string, name: string): string {
  return `namespace prefix "${prefix.slice(0, 64)}" of ${name.slice(0, 64)} is not declared`;
}

/** Two attributes of one element with one expanded name (Namespaces in XML 1.0 §6.3). */
export function duplicateExpandedName(elementName: string, attributeName: string): string {
  return `two attributes of ${elementName.slice(0, 64)} have the expanded name of ${attributeName.slice(0, 64)} (Namespaces in XML 1.0 §6.3)`;
}

/** What `InScopeNamespaces.enter` changed: each prefix with the URI it had before (undefined: none). */
export type NamespaceUndo = readonly (readonly [prefix: string, previous: string | undefined])[];

/**
 * The namespaces in scope at the current point of a walk through the tree (the parser's, canonicalization's), as
 * one map changed on the way into an element and restored on the way out: every lookup costs one map read, however
 * deep the element or however many declarations are in scope above it.
 */
export class InScopeNamespaces {
  readonly #bindings: Map<string, string>;

  /** `xml` only (a document's start), or the whole scope of an element, nearest declarations winning. */
  constructor(scope?: NamespaceScope) {
    this.#bindings = new Map(XML_SCOPE.bindings);
    const frames: NamespaceScope[] = [];
    for (let frame = scope; frame; frame = frame.parent) frames.push(frame);
    for (const frame of frames.reverse()) for (const [prefix, uri] of frame.bindings) this.#bindings.set(prefix, uri);
  }

  get(prefix: string): string | undefined {
    return this.#bindings.get(prefix);
  }

  /** Every binding, for the apex of an inclusive canonical form. */
  entries(): IterableIterator<[string, string]> {
    return this.#bindings.entries();
  }

  /** Applies an element's declarations (prefix "" = the default namespace); `leave` takes the result back. */
  enter(declarations: readonly { readonly prefix: string; readonly uri: string }[]): NamespaceUndo {
    if (declarations.length === 0) return NO_CHANGE;
    const undo: [string, string | undefined][] = [];
    for (const { prefix, uri } of declarations) {
      undo.push([prefix, this.#bindings.get(prefix)]);
      this.#bindings.set(prefix, uri);
    }
    return undo;
  }

  leave(undo: NamespaceUndo): void {
    for (let i = undo.length - 1; i >= 0; i--) {
      const [prefix, previous] = undo[i]!;
      if (previous === undefined) this.#bindings.delete(prefix);
      else this.#bindings.set(prefix, previous);
    }
  }
}

const NO_CHANGE: NamespaceUndo = [];
