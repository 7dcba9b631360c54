/** Host basics: host name, time zone, kernel parameters, cron jobs. */
export { hostname, hostsLine, type HostnameParams } from "./hostname.js";
export { timezone, type TimezoneParams } from "./timezone.js";
export { sysctl, type SysctlParams } from "./sysctl.js";
export { kernelModule, type KernelModuleParams } from "./kernel-module.js";
export { cron, renderCronFile, type CronParams } from "./cron.js";
export { inlineWrite } from "./inline-write.js";
