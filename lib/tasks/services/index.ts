/** systemd tasks: unit files, services, timers. */
export { systemdUnit, unitFilePath, type SystemdUnitParams } from "./systemd-unit.js";
export { service, type ServiceParams } from "./service.js";
export { systemdTimer, renderTimerUnits, type SystemdTimerParams } from "./systemd-timer.js";
export { execWord, environmentLine, shellExecStart } from "./unit-text.js";
