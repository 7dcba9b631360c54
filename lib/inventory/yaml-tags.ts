/**
 * The YAML tags bosun understands in inventories and vars files. Parsing follows YAML 1.1 like
 * Ansible's PyYAML (`yes`/`no`/`on`/`off` are booleans, `0750` is octal, `<<` merges), except that
 * the single letters `y`/`n` stay strings, as they do in PyYAML.
 */
import type { ScalarTag, Tags } from "yaml";
import { decryptVaultText, VaultDecryptError } from "./vault-keyring.js";

/** A tag that reads a secret at load time: `!env NAME` or `!file path`. */
export type SecretTag = "!env" | "!file";

/** Tags whose scalar is replaced by the value it refers to. */
export const SECRET_TAGS: readonly SecretTag[] = ["!env", "!file"];

/** Ansible's marker for a value that must not be templated; bosun keeps it as a literal string. */
export const UNSAFE_TAG = "!unsafe";

const pyYamlTrue = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const pyYamlFalse = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

function keepString(tag: string): ScalarTag {
  return { tag, resolve: (value: string) => value };
}

/** `!vault |` holds vault text: decrypted at load time with the passwords in use (see vault-keyring.ts). */
const vault: ScalarTag = {
  tag: "!vault",
  resolve(value, onError) {
    try {
      return decryptVaultText(value, "the !vault value");
    } catch (error) {
      const hint = error instanceof VaultDecryptError ? error.context.hint : undefined;
      onError(hint ? `${(error as Error).message} (${hint})` : (error as Error).message);
      return value;
    }
  },
};

/** Replace the YAML 1.1 booleans with PyYAML's set and add bosun's tags. */
export function inventoryTags(tags: Tags): Tags {
  const others = tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:bool");
  const bool = (value: boolean, test: RegExp): ScalarTag => ({
    tag: "tag:yaml.org,2002:bool",
    default: true,
    test,
    identify: (v) => v === value,
    resolve: () => value,
  });
  return [bool(true, pyYamlTrue), bool(false, pyYamlFalse), ...others, ...SECRET_TAGS.map(keepString), keepString(UNSAFE_TAG), vault];
}
