import { InvalidRequest } from "../errors.js";
import { encodeJson } from "../request/encode.js";
import { Patch, type PatchTarget } from "./patch.js";

/**
 * A patch whose body is one JSON object sent as written (merge, strategic merge) or
 * completed from the target (apply). Holds the body and checks it once, here.
 */
export abstract class BodyPatch<B extends object> extends Patch {
  readonly body: B;

  constructor(body: B) {
    super();
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      const got = body === null ? "null" : Array.isArray(body) ? "an array" : typeof body;
      throw new InvalidRequest(`${new.target.name} needs an object as its body (the fields to change), got ${got}`);
    }
    this.body = body;
  }

  serialize(_target?: PatchTarget): string {
    return encodeJson(this.body, `${this.constructor.name} body`);
  }
}
