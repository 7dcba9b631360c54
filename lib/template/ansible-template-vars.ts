/**
 * The variables Ansible's `template` module adds for a `.j2` file (`ansible_managed`,
 * `template_path`, `template_fullpath`, `template_host`), so role templates that print them render
 * as with Ansible. Variables given by the user win over these.
 */
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Vars } from "../core/vars.js";

/** Ansible's default `ansible_managed` text (ansible.cfg `ansible_managed`). */
export const ANSIBLE_MANAGED = "Ansible managed";

/** The template variables Ansible defines for the template at `path`. */
export function ansibleTemplateVars(path: string): Vars {
  return { ansible_managed: ANSIBLE_MANAGED, template_path: path, template_fullpath: resolve(path), template_host: hostname() };
}
