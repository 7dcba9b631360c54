/** Build the `docker` variant (placeholder while the base image is being verified). */
export async function buildDockerVariant(baseTag: string, tag: string): Promise<void> {
  throw new Error(`Cannot build ${tag} from ${baseTag}: not implemented yet`);
}
