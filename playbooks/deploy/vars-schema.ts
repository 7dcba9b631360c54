/** The JSON Schema of the deploy variables: what deploySettings (vars.ts) accepts. */

/** Docker tag syntax. */
export const TAG_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
const SERVICE_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9_.-]*$";
const text = { type: "string", minLength: 1 };
const count = { type: "integer", minimum: 0 };
const flag = { type: ["boolean", "string"] };

/** The JSON Schema of the deploy variables (other variables are free). */
export const DEPLOY_VARS_SCHEMA = {
  type: "object",
  required: ["app_dir", "registry_image"],
  properties: {
    app_dir: { type: "string", pattern: "^/.+" },
    compose_files: { type: "array", items: text, minItems: 1 },
    project_name: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$" },
    registry: { type: "string", pattern: "^[A-Za-z0-9.-]+(:[0-9]+)?$" },
    registry_image: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(/[a-z0-9._-]+)*$" },
    registry_user: text,
    registry_password: { anyOf: [{ type: "string" }, { type: "object" }] },
    readiness: {
      type: "array",
      items: {
        type: "object",
        required: ["service", "url"],
        additionalProperties: false,
        properties: {
          service: { type: "string", pattern: SERVICE_PATTERN },
          url: { type: "string", pattern: "^https?://\\S+$" },
          status: { anyOf: [{ type: "integer" }, { type: "array", items: { type: "integer" } }] },
          timeoutSeconds: { type: "number", exclusiveMinimum: 0 },
          body: { type: "string" },
        },
      },
    },
    backup: {
      type: "object",
      required: ["service", "database"],
      additionalProperties: false,
      properties: {
        service: { type: "string", pattern: SERVICE_PATTERN },
        database: text,
        user: text,
        keep: { type: "integer", minimum: 1 },
      },
    },
    migrator: {
      type: "object",
      required: ["service"],
      additionalProperties: false,
      properties: {
        service: { type: "string", pattern: SERVICE_PATTERN },
        command: { type: "array", items: { type: "string" } },
        env: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    image_variables: {
      type: "object",
      propertyNames: { pattern: "^[A-Z_][A-Z0-9_]*$" },
      additionalProperties: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(/[a-z0-9._-]+)*$" },
    },
    env_files: { type: "array", items: { type: "string", pattern: "^[^/\\s][^\\s]*$" }, minItems: 1 },
    upstreams: {
      type: "array",
      items: {
        type: "object",
        required: ["service", "port", "upstream"],
        additionalProperties: false,
        properties: {
          service: { type: "string", pattern: SERVICE_PATTERN },
          port: { type: "integer", minimum: 1, maximum: 65535 },
          upstream: { type: "string", pattern: "^[A-Za-z0-9_]+$" },
          drain_seconds: { type: "number", minimum: 0 },
        },
      },
    },
    drain_seconds: { type: "number", minimum: 0 },
    settle_seconds: { type: "number", minimum: 0 },
    registry_retries: {
      type: "object",
      additionalProperties: false,
      properties: {
        attempts: { type: "integer", minimum: 1 },
        base_seconds: { type: "number", minimum: 0 },
        max_seconds: { type: "number", minimum: 0 },
      },
    },
    keep_images: count,
    history_keep: { type: "integer", minimum: 1 },
    lock_wait: count,
    lock_stale_minutes: { type: "integer", minimum: 1 },
    deployer: text,
    tag: { type: "string", pattern: TAG_PATTERN },
    rollback: flag,
    "promote-from": text,
    services: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9_.-]*(,[a-zA-Z0-9][a-zA-Z0-9_.-]*)*$" },
    sha: { type: "string", pattern: "^[0-9a-fA-F]{4,64}$" },
    "break-lock": flag,
  },
} as const;
