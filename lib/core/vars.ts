/** Variables as they come from YAML, the environment, files or `-e`. */
export type Vars = Record<string, unknown>;
