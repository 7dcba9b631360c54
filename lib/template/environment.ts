/**
 * bosun's own handlebars environment, isolated from the global one (`Handlebars.create()`), with
 * the helpers of ./helpers.ts.
 *
 * Strict mode makes `{{name}}` and `{{site.name}}` throw when the variable is missing. Handlebars
 * does not check helper arguments in strict mode, so `{{#if x}}`, `{{#unless x}}`, `{{#each x}}`
 * and `{{#with x}}` treat a missing `x` as falsy: that is the choice here, so optional variables
 * can be tested. Strict mode would still crash on a missing parent (`{{#if site.tls}}` without
 * `site`) with a TypeError; the compiler below makes such lookups yield undefined instead, so they
 * are falsy too. Outside helpers and block conditions, a missing variable is always an error.
 */
import { fileURLToPath } from "node:url";
import { loadOwnCjs } from "../core/own-cjs.js";
import type HandlebarsModule from "../generated/vendor/handlebars.cjs";
import { templateHelpers } from "./helpers.js";

/**
 * Handlebars pre-bundled into one CommonJS file (scripts/vendor.ts), loaded on the first template
 * (own-cjs.ts):
 * most runs render none. The path is relative to this module: from lib/template/ (the sources) it
 * is lib/generated/vendor/, from dist/lib/bundle/ (the package's bundle) dist/lib/generated/vendor/;
 * `npm run build` writes the file to both.
 */
export const VENDORED_HANDLEBARS = "../generated/vendor/handlebars.cjs";

/** The part of handlebars' (undeclared) JavaScriptCompiler that is overridden. */
interface Compiler {
  /** Code that reads property `name` of `parent`. */
  nameLookup(parent: unknown, name: string, type: string): unknown;
  /** The class used for nested programs. */
  compiler: unknown;
}
type CompilerClass = new () => Compiler;

/** A fresh handlebars environment with bosun's helpers and null-safe nested lookups. */
export function createTemplateEnvironment(): typeof HandlebarsModule {
  const Handlebars = loadOwnCjs(fileURLToPath(new URL(VENDORED_HANDLEBARS, import.meta.url))) as typeof HandlebarsModule;
  const env = Handlebars.create();
  const holder = env as unknown as { JavaScriptCompiler: CompilerClass };
  const Base = holder.JavaScriptCompiler;
  class NullSafeCompiler extends Base {
    override nameLookup(parent: unknown, name: string, type: string): unknown {
      return super.nameLookup(["(", parent, " ?? {})"], name, type);
    }
  }
  NullSafeCompiler.prototype.compiler = NullSafeCompiler;
  holder.JavaScriptCompiler = NullSafeCompiler;
  for (const [name, fn] of Object.entries(templateHelpers)) env.registerHelper(name, fn);
  return env;
}

/** Compile options for config files: strict, no HTML escaping, helper argument names tracked for messages. */
export const COMPILE_OPTIONS = { strict: true, noEscape: true, trackIds: true } as const;
