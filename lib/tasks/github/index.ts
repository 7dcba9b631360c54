/** GitHub tasks: Actions secrets, through the REST API from the controller. */
export { githubSecret, type GithubSecretParams, type GithubSecretOutput } from "./github-secret.js";
export { sealForPublicKey } from "./sealed-box.js";
