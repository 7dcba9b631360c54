/** Docker tasks: the engine, registry logins, compose projects and image pruning. */
export { dockerEngine, type DockerEngineParams, type DockerEngineOutput } from "./docker-engine.js";
export { dockerLogin, type DockerLoginParams } from "./docker-login.js";
export { composeConfig, type ComposeConfigParams } from "./compose-config.js";
export { composePull, type ComposePullParams, type ComposePullOutput } from "./compose-pull.js";
export { composeUp, type ComposeUpParams, type ComposeUpOutput } from "./compose-up.js";
export { composeDown, type ComposeDownParams, type ComposeDownOutput } from "./compose-down.js";
export { composeRun, type ComposeRunParams, type ComposeRunOutput } from "./compose-run.js";
export { imagePrune, type ImagePruneParams, type ImagePruneOutput } from "./image-prune.js";
export type { ComposeProjectParams } from "./compose-project.js";
