/** CI runner tasks: GitLab Runner installed from GitLab's apt repository, and registered once. */
export { gitlabRunner, type GitlabRunnerParams, type GitlabRunnerOutput } from "./gitlab-runner.js";
export { gitlabRunnerRegister, type GitlabRunnerRegisterParams, type GitlabRunnerRegisterOutput } from "./gitlab-runner-register.js";
