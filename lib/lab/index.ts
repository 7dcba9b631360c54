/** The lab: disposable Debian hosts (and, from lib/lab/services/, the services around them). */
export { ensurePrerequisites, type PrerequisitesReport } from "./prerequisites.js";
export { ensureLabNetwork, LAB_NETWORK, LAB_DOMAIN } from "./network.js";
export { ensureLabImage, labImageTag, type EnsureLabImageOptions, type LabVariant } from "./image.js";
export { ensureLabKey } from "./key.js";
export { labUp, type LabUpOptions } from "./hosts.js";
export { labDown, type LabDownOptions, type LabDownReport } from "./lab-down.js";
export { labStatus, type LabStatus } from "./lab-status.js";
export { inspectLab, listLabHosts, type LabHost, type LabHostStatus, type LabInfo } from "./lab-state.js";
export { renderLabInventory, writeLabInventory } from "./inventory.js";
export { labSshOptions } from "./ssh-ready.js";
export { KEY_PATH, KNOWN_HOSTS_PATH, LAB_DIR, REPO_ROOT } from "./paths.js";
