/** GitLab tasks: project CI/CD variables, through the REST API from the controller. */
export { gitlabVariable, type GitlabVariableParams, type GitlabVariableOutput, type GitlabVariable } from "./gitlab-variable.js";
export { maskedValueProblem, isMaskable, MASKABLE_VALUE } from "./masked-value.js";
