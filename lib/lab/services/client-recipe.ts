import type { ImageRecipe } from "./image-recipe.js";

/**
 * A throwaway client for the lab network (tests, probes): Debian's certbot, curl and openssl.
 * Its entrypoint sleeps, so callers `docker run -d --init` it and `docker exec` commands.
 */
export const CLIENT_RECIPE: ImageRecipe = {
  name: "bosun-lab/client",
  packages: ["certbot", "curl", "openssl"],
  // Byte-compiled once here, or every fresh container spends seconds compiling certbot.
  run: [["python3", "-m", "compileall", "-q", "/usr/lib/python3/dist-packages", "/usr/lib/python3.11"]],
  changes: ['ENTRYPOINT ["/bin/sleep", "infinity"]'],
};
