/**
 * Roles: named, reusable groups of tasks with typed inputs and defaults, as Ansible's roles are.
 * Every role in roles/ has this one shape:
 *
 *   export const deployUserRole = defineRole<DeployUserRoleInput, readonly TaskResult[], typeof DEPLOY_USER_ROLE_DEFAULTS>({
 *     name: "deploy-user",
 *     description: "The account deploys log in as: user, keys, passwordless sudo.",
 *     defaults: DEPLOY_USER_ROLE_DEFAULTS,
 *     async apply(host, input) { ... host.run(task) ... },
 *   });
 *
 * and is called as `await deployUserRole(host, { authorizedKeys })`.
 */
import type { TaskCall, TaskResult } from "../core/task.js";

/** What a role needs of a host: running tasks. A playbook's host, an `openHost()` host and test harnesses all fit. */
export interface RoleHost {
  /** The host's inventory name, where the caller has one. */
  readonly name?: string;
  /** Run one task (check, then apply unless --check). */
  run<P, O>(call: TaskCall<P, O>): Promise<TaskResult<O>>;
}

/** A role's inputs once its defaults are filled in: every defaulted input is present. */
export type WithDefaults<I, D> = Omit<I, keyof D> & { readonly [K in Extract<keyof D, keyof I>]-?: Exclude<I[K], undefined> };

/** What {@link defineRole} takes. */
export interface RoleDefinition<I extends object, R, D extends Partial<I>> {
  /** The role's name, its folder under roles/ (`deploy-user`). */
  readonly name: string;
  /** One line for docs. */
  readonly description: string;
  /** Values of the optional inputs the caller leaves out (an input given as undefined is left out too). */
  readonly defaults: D;
  /** The tasks, given the inputs with defaults filled in. */
  apply(host: RoleHost, input: WithDefaults<I, D>): Promise<R>;
}

/** A role: call it with a host and its inputs. */
export interface Role<I extends object, R> {
  (host: RoleHost, ...input: object extends I ? [input?: I] : [input: I]): Promise<R>;
  /** The role's name. */
  readonly roleName: string;
  /** One line for docs. */
  readonly description: string;
  /** Its defaults. */
  readonly defaults: Readonly<Partial<I>>;
}

/** Define a role (see the file comment for the shape every role follows). */
export function defineRole<I extends object, R, D extends Partial<I> = Partial<I>>(definition: RoleDefinition<I, R, D>): Role<I, R> {
  const role = (host: RoleHost, input?: I): Promise<R> => {
    const given = Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined));
    return definition.apply(host, { ...definition.defaults, ...given } as WithDefaults<I, D>);
  };
  return Object.assign(role, { roleName: definition.name, description: definition.description, defaults: definition.defaults }) as Role<
    I,
    R
  >;
}
