/** Names that would clash with the lab's own directories under `.lab/`. */
const RESERVED = new Set(["cache", "locks", "services", "tmp"]);

/** Throw unless `name` can name a lab: hosts `<name>1..N` must be valid hostnames and distinct across labs. */
export function validateLabName(name: string): void {
  if (!/^[a-z]([a-z0-9-]{0,28}[a-z-])?$/.test(name)) {
    throw new Error(
      `Cannot use lab name "${name}": use 1-30 lowercase letters, digits and dashes, starting with a letter ` +
        `and not ending with a digit (host names append one)`,
    );
  }
  if (RESERVED.has(name)) throw new Error(`Cannot use lab name "${name}": it is reserved for .lab/${name}/`);
}

/** Container name of lab host `host`. */
export const containerName = (host: string): string => `bosun-${host}`;

/** Name of the docker volume mounted at /var/lib/docker in lab host `host`. */
export const dockerVolumeName = (host: string): string => `bosun-${host}-docker`;
