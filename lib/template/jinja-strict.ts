/**
 * Strict mode for Jinja templates, as Ansible's StrictUndefined: a variable that is not defined is
 * an error wherever its value is used (output, filters, conditions, loops, arithmetic, method
 * calls), naming the variable and the line. Nunjucks has no such mode (its `throwOnUndefined` only
 * covers output, without the name), so the parsed template is rewritten before it is compiled:
 * every variable reference whose value is used becomes `ref | __strict("name", line, "template")`,
 * and every `{{ expr }}` is printed through `__print` (Python's str(), errors at their line).
 * References that may be undefined stay as they are: the subject of a test (`x is defined`), the
 * value given to `default`/`d`, and `mandatory` (which gets the name to report).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The parts of a nunjucks AST node this module reads and writes. */
export interface JinjaNode {
  readonly typename: string;
  readonly lineno: number;
  readonly colno: number;
  readonly fields: readonly string[];
  [field: string]: unknown;
}
type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => JinjaNode;

type Nodes = Record<string, NodeClass> & { Node: NodeClass };
let loaded: Nodes | undefined;
/** nunjucks' node classes, loaded with the first Jinja template. */
function nodes(): Nodes {
  loaded ??= require("nunjucks/src/nodes.js") as Nodes;
  return loaded;
}

/** The filter that checks a reference; registered by the environment. */
export const STRICT_FILTER = "__strict";
/** The filter that prints an output expression (value, line); registered by the environment. */
export const PRINT_FILTER = "__print";
/** The `mandatory` filter as rewritten here (value, name, line, msg). */
export const MANDATORY_FILTER = "__mandatory";

const DEFAULT_FILTERS = new Set(["default", "d"]);

function isNode(value: unknown): value is JinjaNode {
  return value instanceof nodes().Node;
}

function isReference(node: JinjaNode): boolean {
  return node.typename === "Symbol" || node.typename === "LookupVal";
}

/** How a reference is written: `site.port`, `hosts[0]`, `item['name']`. */
export function referenceName(node: JinjaNode): string {
  if (node.typename === "Symbol") return String(node.value);
  if (node.typename !== "LookupVal") return "(expression)";
  const target = referenceName(node.target as JinjaNode);
  const key = node.val as JinjaNode;
  if (key.typename === "Literal" && typeof key.value === "string" && /^[A-Za-z_]\w*$/.test(key.value)) return `${target}.${key.value}`;
  if (key.typename === "Literal") return `${target}[${JSON.stringify(key.value)}]`;
  return `${target}[${referenceName(key)}]`;
}

function literal(at: JinjaNode, value: unknown): JinjaNode {
  return new (nodes().Literal as NodeClass)(at.lineno, at.colno, value);
}

function filterCall(at: JinjaNode, name: string, args: JinjaNode[]): JinjaNode {
  const n = nodes();
  return new (n.Filter as NodeClass)(
    at.lineno,
    at.colno,
    new (n.Symbol as NodeClass)(at.lineno, at.colno, name),
    new (n.NodeList as NodeClass)(at.lineno, at.colno, args),
  );
}

function strict(node: JinjaNode): JinjaNode {
  return filterCall(node, STRICT_FILTER, [
    node,
    literal(node, referenceName(node)),
    literal(node, node.lineno + 1),
    literal(node, template),
  ]);
}

/** The template being rewritten, for messages about included templates. */
let template = "";

/** Fields that name things (loop variables, targets, macro parameters): never rewritten. */
function naming(parent: JinjaNode, field: string): boolean {
  switch (parent.typename) {
    case "Set":
      return field === "targets";
    case "For":
      return field === "name";
    case "Macro":
    case "Caller":
      return field === "name" || field === "args";
    case "Pair":
      return field === "key";
    case "Block":
      return field === "name";
    case "Import":
    case "FromImport":
      return field !== "template";
    default:
      return false;
  }
}

/** Fields whose references may be undefined, though expressions inside them are checked. */
function unchecked(parent: JinjaNode, field: string): boolean {
  switch (parent.typename) {
    case "Is":
      return true; // `x is defined`: tests see undefined values, and the right side is the test's name.
    case "FunCall":
    case "Filter":
      return field === "name";
    case "LookupVal":
      return field === "target"; // the whole reference is checked, not each step.
    default:
      return false;
  }
}

function rewriteFilter(node: JinjaNode): void {
  const name = (node.name as JinjaNode).value as string;
  const args = (node.args as JinjaNode).children as JinjaNode[];
  const subject = args[0];
  if (name === "mandatory" && subject && isReference(subject)) {
    (node.name as JinjaNode).value = MANDATORY_FILTER;
    args.splice(1, 0, literal(subject, referenceName(subject)), literal(subject, subject.lineno + 1));
  }
}

function visitChild(child: unknown, replace: (n: JinjaNode) => void, checked: boolean): void {
  if (!isNode(child)) return;
  rewrite(child);
  if (checked && isReference(child)) replace(strict(child));
}

/** Rewrite a parsed template (named `name` in messages) in place so that undefined variables fail where they are used. */
export function makeStrict(root: JinjaNode, name: string): void {
  template = name;
  rewrite(root);
}

function rewrite(node: JinjaNode): void {
  if (node.typename === "Filter" && (node.name as JinjaNode).value === STRICT_FILTER) return; // already checked
  if (node.typename === "Filter") rewriteFilter(node);
  if (node.typename === "FunCall" && isNode(node.name) && node.name.typename === "LookupVal") {
    // `item.name.split(' ')`: the object a method is called on must exist.
    const method = node.name;
    visitChild(method.target, (n) => (method.target = n), true);
  }
  for (const field of node.fields) {
    if (naming(node, field)) continue;
    const value = node[field];
    const checked = !unchecked(node, field);
    if (Array.isArray(value)) {
      value.forEach((child, i) => visitChild(child, (n) => (value[i] = n), checked));
    } else if (isNode(value) && node.typename === "Filter" && field === "args") {
      // The piped value of `default` and `mandatory` may be undefined; their other arguments may not.
      const children = value.children as unknown[];
      const mayBeUndefined = DEFAULT_FILTERS.has(String((node.name as JinjaNode).value)) || isMandatory(node);
      children.forEach((child, i) => visitChild(child, (n) => (children[i] = n), !(i === 0 && mayBeUndefined)));
    } else {
      visitChild(value, (n) => (node[field] = n), checked);
    }
  }
  if (node.typename === "Output") printed(node);
}

/** `{{ expr }}` becomes `{{ expr | __print(line) }}`: printed as Python does, errors at their line. */
function printed(output: JinjaNode): void {
  const children = output.children as JinjaNode[];
  children.forEach((child, i) => {
    if (child.typename !== "TemplateData") children[i] = filterCall(child, PRINT_FILTER, [child, literal(child, child.lineno + 1)]);
  });
}

function isMandatory(node: JinjaNode): boolean {
  return (node.name as JinjaNode).value === MANDATORY_FILTER;
}
