/**
 * JSON Schema of an inventory file in the shape of Ansible's YAML inventory:
 *
 * ```yaml
 * all:
 *   vars: { ansible_user: deploy }
 *   hosts:
 *     web1: { ansible_host: 203.0.113.10 }
 *   children:
 *     app:
 *       hosts: { web1: }       # a host may be listed in several groups, with or without vars
 *       children: { ... }      # nested groups
 * ```
 *
 * Top-level keys other than `all` are groups too (children of `all`), as in Ansible.
 */
import { varsSchema } from "./known-vars.js";

/** The keys a group may have. */
export const GROUP_KEYS = ["hosts", "vars", "children"] as const;

/** JSON Schema of one inventory file. */
export const inventorySchema = {
  $id: "bosun:inventory",
  type: "object",
  description: "a mapping of group names (all: ...) to groups",
  additionalProperties: { $ref: "#/$defs/group" },
  $defs: {
    vars: varsSchema,
    group: {
      type: ["object", "null"],
      description: "a group: a mapping with hosts, vars and children",
      properties: {
        hosts: {
          type: ["object", "null"],
          description: "a mapping of host names to their variables (or nothing)",
          additionalProperties: { $ref: "#/$defs/vars" },
        },
        vars: { $ref: "#/$defs/vars" },
        children: {
          type: ["object", "null"],
          description: "a mapping of group names to groups",
          additionalProperties: { $ref: "#/$defs/group" },
        },
      },
      additionalProperties: false,
    },
  },
};

/** JSON Schema of a vars file (`group_vars/app.yml`, `host_vars/web1.yml`, `-e @vars.yml`). */
export const varsFileSchema = { $id: "bosun:vars-file", ...varsSchema };
