/**
 * One inventory file, its format found from its content as Ansible's plugin chain does: a file
 * with no extension or `.yml`/`.yaml`/`.json` is tried as YAML first (it must give a mapping that
 * is not a plugin configuration), then anything is tried as INI. When neither reads it, the error
 * names both attempts, the more likely one first.
 */
import { extname } from "node:path";
import { InventoryError } from "../core/errors.js";
import { addIniInventory } from "./ini-inventory.js";
import { problemsError, type Problem } from "./location.js";
import type { InventoryTreeBuilder } from "./tree-builder.js";
import { addYamlGroups } from "./yaml-groups.js";
import { parseYamlSource, type LocatedData } from "./yaml-source.js";

/** Where the file is and how to report about it. */
export interface InventoryFileOptions {
  /** Name in messages (`inventory/hosts`). */
  readonly label: string;
  /** Path on disk (its extension decides whether YAML is tried). */
  readonly path: string;
  /** Directory that `!file` and `lookup('file')` start from. */
  readonly baseDir: string;
  /** Environment that `!env` reads. */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives Ansible's warnings. */
  readonly warn: (message: string) => void;
}

/** The format a file was read as. */
export type InventoryFormat = "yaml" | "ini";

const YAML_EXTENSIONS = [".yml", ".yaml", ".json"];

function tryYaml(text: string, options: InventoryFileOptions): LocatedData | Error {
  try {
    const parsed = parseYamlSource(text, { label: options.label, baseDir: options.baseDir, ...(options.env ? { env: options.env } : {}) });
    const data = parsed.data;
    if (data === null || data === undefined) return new InventoryError(`${options.label}: Parsed empty YAML file`);
    if (typeof data !== "object" || Array.isArray(data)) {
      return new InventoryError(
        `${options.label}: YAML inventory has invalid structure, it should be a dictionary, got: ${Array.isArray(data) ? "a list" : typeof data}`,
      );
    }
    if ("plugin" in data) {
      return new InventoryError(
        `${options.label}: is the configuration of inventory plugin ${JSON.stringify((data as { plugin: unknown }).plugin)}, not a YAML inventory; bosun reads static YAML and INI inventories only`,
      );
    }
    return parsed;
  } catch (error) {
    return error as Error;
  }
}

function looksLikeYaml(text: string): boolean {
  const first = text.split("\n").find((l) => l.trim() && !/^\s*[#;]/.test(l)) ?? "";
  return /^(---|\s*[^=[\s][^=]*:(\s|$))/.test(first);
}

/** Read one inventory file into `b`; returns the format it was read as. Throws an InventoryError when neither format reads it. */
export function addInventoryFile(b: InventoryTreeBuilder, text: string, options: InventoryFileOptions): InventoryFormat {
  const yamlExtension = YAML_EXTENSIONS.includes(extname(options.path).toLowerCase());
  const yaml = yamlExtension || extname(options.path) === "" ? tryYaml(text, options) : undefined;
  // A .yml/.yaml/.json file that is not even YAML: its YAML error is the useful one.
  if (
    yamlExtension &&
    yaml instanceof InventoryError &&
    !/: (Parsed empty YAML file|YAML inventory has invalid structure)/.test(yaml.message)
  )
    throw yaml;
  if (yaml && !(yaml instanceof Error)) {
    const problems: Problem[] = [];
    addYamlGroups(b, yaml.data as Record<string, unknown>, { problems, warn: options.warn });
    if (problems.length) throw problemsError(options.label, yaml.locate, problems);
    return "yaml";
  }
  try {
    addIniInventory(b, text, options.label);
    return "ini";
  } catch (iniError) {
    if (!yaml) throw iniError;
    const yamlFirstInMessage = yamlExtension || looksLikeYaml(text);
    const [first, second] = yamlFirstInMessage ? [yaml, iniError as Error] : [iniError as Error, yaml];
    const label = (e: Error): string => (e === yaml ? "as YAML" : "as INI");
    throw new InventoryError(`${first.message}\n(read ${label(second)} too: ${second.message})`);
  }
}
