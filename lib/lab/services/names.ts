/** Names and ports of the lab services: lab hosts use the names, this machine the 127.0.0.1 ports. */
export const SERVICES = {
  registry: { container: "bosun-lab-registry", host: "registry.lab.test", port: 5000, localPort: 5000 },
  /** The registry over HTTPS (lab CA): a sidecar answering on the registry container's address, port 443; not published here. */
  registryTls: { container: "bosun-lab-registry-tls", host: "registry.lab.test", port: 443 },
  files: { container: "bosun-lab-files", host: "files.lab.test", port: 80, localPort: 8070 },
  acme: { container: "bosun-lab-acme", host: "acme.lab.test", port: 14000, localPort: 14000 },
  acmeManagement: { container: "bosun-lab-acme", host: "acme.lab.test", port: 15000, localPort: 15000 },
  challtest: { container: "bosun-lab-challtest", host: "challtest.lab.test", port: 8055, localPort: 8055 },
} as const;

/** The docker config directory (with a login to the registry) this machine pushes with. */
export const PUSH_CONFIG_SUBDIR = "docker-config";
