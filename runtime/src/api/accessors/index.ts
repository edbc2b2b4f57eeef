/**
 * Every accessor `Api` installs, one line each. To add one: write `<name>.ts` beside this
 * file (a class, a `defineAccessor({ property, subresource, create })` export and its
 * `AccessorTypes` entry: copy status.ts) and add its export line here.
 */
export { status } from "./status.js";
export { scale } from "./scale.js";
export { metadata } from "./metadata.js";
export { eviction } from "./eviction.js";
export { ephemeralContainers } from "./ephemeral-containers.js";
export { resize } from "./resize.js";
export { binding } from "./binding.js";
export { token } from "./token.js";
export { approval } from "./approval.js";
export { finalize } from "./finalize.js";
export { logs } from "./logs.js";
export { exec } from "./exec.js";
export { attach } from "./attach.js";
export { portforward } from "./portforward.js";
export { proxy } from "./proxy.js";
