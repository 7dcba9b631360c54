/**
 * The lab registry over HTTPS: `https://registry.lab.test` (port 443), with a certificate from the
 * lab CA (lab-ca.ts), as a user's registry has one from a public CA. A sidecar in the registry
 * container's network namespace (socat: TLS on 443 to the registry's plain HTTP on 127.0.0.1:5000),
 * so the registry container, its address `registry.lab.test:5000` and everything that uses it stay
 * as they are. Image references through it carry no port: `registry.lab.test/demo/app:v1`.
 */
import path from "node:path";
import { buildImage } from "./build-image.js";
import { docker } from "./docker.js";
import type { ImageRecipe } from "./image-recipe.js";
import { serviceCertificate } from "./lab-ca.js";
import { SERVICES } from "./names.js";
import { SERVICES_DIR } from "./paths.js";
import { ensureServiceContainer, type ContainerAction } from "./service-container.js";

/** Where the registry's certificate and key live (mounted read-only into the sidecar). */
const TLS_DIR = path.join(SERVICES_DIR, "registry-tls");

/** Debian's socat: `OPENSSL-LISTEN` terminates TLS and forwards each connection. */
export const REGISTRY_TLS_RECIPE: ImageRecipe = {
  name: "bosun-lab/registry-tls",
  packages: ["socat"],
  changes: ['ENTRYPOINT ["/usr/bin/socat"]', "EXPOSE 443"],
};

/** socat's arguments: TLS on 443 with the mounted certificate, to the registry's plain listener. */
function socatArgs(certFile: string, keyFile: string): string[] {
  const cert = `/tls/${path.basename(certFile)}`;
  const key = `/tls/${path.basename(keyFile)}`;
  return [
    `OPENSSL-LISTEN:${SERVICES.registryTls.port},fork,reuseaddr,cert=${cert},key=${key},verify=0`,
    `TCP:127.0.0.1:${SERVICES.registry.port}`,
  ];
}

/**
 * Start (or keep) the HTTPS sidecar of the registry; run after ensureRegistry. A new registry
 * container (its id is part of the spec) or a new certificate replaces the sidecar.
 */
export async function ensureRegistryTls(): Promise<ContainerAction> {
  const image = await buildImage(REGISTRY_TLS_RECIPE);
  const cert = await serviceCertificate(SERVICES.registryTls.host, TLS_DIR);
  const registryId = (await docker(["container", "inspect", "--format", "{{.Id}}", SERVICES.registry.container])).stdout.trim();
  return ensureServiceContainer({
    name: SERVICES.registryTls.container,
    service: "registry-tls",
    image,
    aliases: [],
    joins: SERVICES.registry.container,
    mounts: [[TLS_DIR, "/tls", "ro"]],
    // Not read by socat: they make the spec change when the registry or the certificate does.
    env: { REGISTRY_CONTAINER: registryId, CERT_SHA256: cert.sha256 },
    args: socatArgs(cert.certFile, cert.keyFile),
  });
}
