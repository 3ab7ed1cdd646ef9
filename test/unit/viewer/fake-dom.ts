/**
 * Just enough DOM for the viewer's render functions to run in Node, serialising to HTML with
 * escaping like a browser does. `innerHTML`/`outerHTML`/`insertAdjacentHTML` assignments throw:
 * a render function that tried to parse markup fails the test instead of passing silently.
 */
class FakeNode {
  parentNode: FakeElement | null = null;
  childNodes: FakeNode[] = [];
  get firstChild(): FakeNode | null {
    return this.childNodes[0] ?? null;
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  set textContent(v: string) {
    this.childNodes = [];
    if (v !== '') this.appendChild(new FakeText(v));
  }
  appendChild<T extends FakeNode>(c: T): T {
    c.parentNode?.removeChild(c);
    c.parentNode = this as unknown as FakeElement;
    this.childNodes.push(c);
    return c;
  }
  append(...cs: (FakeNode | string)[]): void {
    for (const c of cs) this.appendChild(typeof c === 'string' ? new FakeText(c) : c);
  }
  prepend(...cs: FakeNode[]): void {
    for (const c of cs.reverse()) {
      this.appendChild(c);
      this.childNodes.unshift(this.childNodes.pop()!);
    }
  }
  removeChild<T extends FakeNode>(c: T): T {
    this.childNodes = this.childNodes.filter((x) => x !== c);
    c.parentNode = null;
    return c;
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
  serialize(): string {
    return '';
  }
}

class FakeText extends FakeNode {
  constructor(readonly data: string) {
    super();
  }
  override get textContent(): string {
    return this.data;
  }
  override serialize(): string {
    return this.data.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
}

export class FakeElement extends FakeNode {
  readonly attributes = new Map<string, string>();
  readonly dataset: Record<string, string> = {};
  readonly style: Record<string, string> = {};
  readonly listeners: string[] = [];
  hidden = false;
  constructor(readonly tagName: string) {
    super();
  }
  get className(): string {
    return this.attributes.get('class') ?? '';
  }
  set className(v: string) {
    this.attributes.set('class', v);
  }
  get id(): string {
    return this.attributes.get('id') ?? '';
  }
  set id(v: string) {
    this.attributes.set('id', v);
  }
  get title(): string {
    return this.attributes.get('title') ?? '';
  }
  set title(v: string) {
    this.attributes.set('title', v);
  }
  get classList() {
    const cls = () => this.className.split(/\s+/).filter(Boolean);
    return {
      contains: (c: string) => cls().includes(c),
      add: (c: string) => (this.className = [...new Set([...cls(), c])].join(' ')),
      remove: (c: string) => (this.className = cls().filter((x) => x !== c).join(' ')),
    };
  }
  set innerHTML(_v: string) {
    throw new Error('innerHTML used');
  }
  set outerHTML(_v: string) {
    throw new Error('outerHTML used');
  }
  insertAdjacentHTML(): void {
    throw new Error('insertAdjacentHTML used');
  }
  setAttribute(k: string, v: string): void {
    this.attributes.set(k, String(v));
  }
  getAttribute(k: string): string | null {
    return this.attributes.get(k) ?? null;
  }
  addEventListener(type: string): void {
    this.listeners.push(type);
  }
  /** Every element in this subtree, this one included. */
  all(): FakeElement[] {
    const out: FakeElement[] = [this];
    for (const c of this.childNodes) if (c instanceof FakeElement) out.push(...c.all());
    return out;
  }
  override serialize(): string {
    const attrs = [...this.attributes].map(([k, v]) => ` ${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"`);
    for (const [k, v] of Object.entries(this.dataset)) attrs.push(` data-${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`);
    return `<${this.tagName}${attrs.join('')}>${this.childNodes.map((c) => c.serialize()).join('')}</${this.tagName}>`;
  }
}

export interface FakeDocument {
  created: string[];
  createElement(tag: string): FakeElement;
  createTextNode(text: string): FakeNode;
}

/** Installs a fake `document` on globalThis; returns it with the list of created tag names. */
export function installFakeDocument(): FakeDocument {
  const doc: FakeDocument = {
    created: [],
    createElement(tag: string) {
      doc.created.push(tag.toLowerCase());
      return new FakeElement(tag.toLowerCase());
    },
    createTextNode(text: string) {
      return new FakeText(text);
    },
  };
  (globalThis as unknown as { document: FakeDocument }).document = doc;
  return doc;
}

export function uninstallFakeDocument(): void {
  delete (globalThis as unknown as { document?: unknown }).document;
}
