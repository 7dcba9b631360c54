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
export { launchPlaybook } from "./cli/launch.js";
// Facts and tasks.
export { pathState, type PathState } from "./facts/files.js";
export { certificateExpiry } from "./facts/certificates.js";
export { ufwState } from "./facts/ufw.js";
// The tasks and their parameter types, by area (helpers inside lib/tasks stay internal).
// prettier-ignore
export { blockInFile, ensureAbsent, ensureDir, ensureFile, lineInFile, symlink, templateFile, type BlockInFileParams, type EnsureAbsentParams, type EnsureDirParams, type EnsureFileParams, type LineInFileParams, type SymlinkParams, type TemplateFileParams } from "./tasks/files/index.js";
// prettier-ignore
export { authorizedKey, ensureGroup, ensureUser, reloadSshd, sshdConfig, sudoers, type AuthorizedKeyParams, type EnsureGroupParams, type EnsureUserParams, type ReloadSshdParams, type SshdConfigParams, type SudoersParams } from "./tasks/access/index.js";
// prettier-ignore
export { apt, aptRepository, aptUpgrade, type AptOutput, type AptParams, type AptRepositoryParams, type AptUpgradeOutput, type AptUpgradeParams } from "./tasks/packages/index.js";
// prettier-ignore
export { service, systemdTimer, systemdUnit, type ServiceParams, type SystemdTimerParams, type SystemdUnitParams } from "./tasks/services/index.js";
// prettier-ignore
export { cron, hostname, kernelModule, sysctl, timezone, type CronParams, type HostnameParams, type KernelModuleParams, type SysctlParams, type TimezoneParams } from "./tasks/system/index.js";
// prettier-ignore
export { composeConfig, composeDown, composePull, composeRun, composeUp, dockerEngine, dockerLogin, imagePrune, type ComposeConfigParams, type ComposeDownOutput, type ComposeDownParams, type ComposeProjectParams, type ComposePullOutput, type ComposePullParams, type ComposeRunOutput, type ComposeRunParams, type ComposeUpOutput, type ComposeUpParams, type DockerEngineOutput, type DockerEngineParams, type DockerLoginParams, type ImagePruneOutput, type ImagePruneParams } from "./tasks/docker/index.js";
// prettier-ignore
export { ufwAllow, ufwDefault, ufwDeny, ufwDockerFilter, ufwEnable, ufwLimit, type UfwAllowParams, type UfwDefaultParams, type UfwDenyParams, type UfwDockerFilterParams, type UfwEnableParams, type UfwLimitParams, type UfwRuleParams } from "./tasks/ufw/index.js";
// prettier-ignore
export { certbotIssue, certbotRenew, nginxSite, nginxUpstreamPlaceholder, switchUpstream, type CertbotIssueOutput, type CertbotIssueParams, type CertbotRenewOutput, type CertbotRenewParams, type NginxSiteOutput, type NginxSiteParams, type SwitchUpstreamParams } from "./tasks/tls/index.js";
// prettier-ignore
export { waitForHttp, type WaitForHttpOutput, type WaitForHttpParams } from "./tasks/http/index.js";
// prettier-ignore
export { notify, type NotifyOutput, type NotifyParams } from "./tasks/notify/index.js";
// prettier-ignore
export { gitCheckout, type GitCheckoutOutput, type GitCheckoutParams } from "./tasks/source/index.js";
// prettier-ignore
export { gitlabRunner, gitlabRunnerRegister, type GitlabRunnerOutput, type GitlabRunnerParams, type GitlabRunnerRegisterOutput, type GitlabRunnerRegisterParams } from "./tasks/ci/index.js";
// prettier-ignore
export { cloudflareDnsRecord, type CloudflareDnsRecordOutput, type CloudflareDnsRecordParams } from "./tasks/dns/index.js";
// prettier-ignore
export { githubSecret, type GithubSecretOutput, type GithubSecretParams } from "./tasks/github/index.js";
// prettier-ignore
export { gitlabVariable, type GitlabVariableOutput, type GitlabVariableParams } from "./tasks/gitlab/index.js";
export { command, type CommandParams, type CommandOutput } from "./tasks/command.js";
