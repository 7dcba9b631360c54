/** bosun's public surface: re-exports only. */
// Core: the task contract, commands, secrets, errors, playbooks and the runner.
export { defineTask, changed, unchanged, skipped } from "./core/task.js";
export type { Task, TaskCall, TaskDefinition, TaskHost, TaskOptions, TaskResult, Plan, Step, ActionStep } from "./core/task.js";
export { defineFact, type Fact } from "./core/fact.js";
export { sh, raw, quote, withStdin, type Command } from "./core/command.js";
export { secret, reveal, mask, registerSecret, Secret } from "./core/secrets.js";
export { BosunError, CommandError, ParamsError, InventoryError, UnreachableError } from "./core/errors.js";
export { playbook, type Playbook, type PlayDefinition, type PlaybookOption } from "./run/playbook.js";
export { defineRole, type Role, type RoleHost, type RoleDefinition } from "./run/role.js";
export { runPlaybook, type RunOptions } from "./run/runner.js";
export { Host, TaskFailedError, type Handler } from "./run/host.js";
export { RunEvents, type RunEventMap } from "./core/events.js";
export { EXIT, type RunReport, type HostStats } from "./core/report.js";
export { openHost, type OpenHostOptions, type OpenedHost, type SshTarget } from "./run/standalone.js";
export * as schema from "./core/params.js";
// Inventory, templates, CLI.
export {
  loadInventory,
  loadInventorySources,
  parseInventory,
  inventoryFromHosts,
  singleHostInventory,
  parseExtraVars,
  selectHosts,
  mergeVars,
} from "./inventory/index.js";
export type { Inventory, InventoryHost, Vars } from "./inventory/index.js";
export { UnsetEnv, requireSet, findUnsetEnv } from "./core/unset-env.js";
export { renderTemplate, renderTemplateFile } from "./template/index.js";
export { runCli } from "./cli/run-cli.js";
export { main, isProgram, type ModuleMeta } from "./cli/entry.js";
// Facts and tasks.
export { pathState, type PathState } from "./facts/files.js";
export { certificateExpiry } from "./facts/certificates.js";
export { ufwState } from "./facts/ufw.js";
export * from "./tasks/files/index.js";
export * from "./tasks/access/index.js";
export * from "./tasks/packages/index.js";
export * from "./tasks/services/index.js";
export * from "./tasks/system/index.js";
export * from "./tasks/docker/index.js";
export * from "./tasks/ufw/index.js";
export * from "./tasks/tls/index.js";
export * from "./tasks/http/index.js";
export * from "./tasks/notify/index.js";
export * from "./tasks/source/index.js";
export * from "./tasks/ci/index.js";
export * from "./tasks/dns/index.js";
export * from "./tasks/github/index.js";
export * from "./tasks/gitlab/index.js";
export { command, type CommandParams, type CommandOutput } from "./tasks/command.js";
