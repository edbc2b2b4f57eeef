/**
 * Stage 5, render: the emit model through the handlebars templates in `templates/`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { GeneratorError } from "../errors.js";
import type { ModuleModel } from "../model/build.js";

/** `templates/` beside the repository's generator, or inside the published package. */
export function templatesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, "..", "..", "..", "templates"), join(here, "..", "..", "templates")]) {
    if (existsSync(join(candidate, "module.hbs"))) return candidate;
  }
  throw new GeneratorError("cannot find the templates folder (module.hbs) next to the generator");
}

export interface Renderer {
  module(model: ModuleModel, context: { source: string; runtimeModule: string }): string;
  template(name: string, data: unknown): string;
}

export function createRenderer(dir = templatesDir()): Renderer {
  const hbs = Handlebars.create();
  hbs.registerHelper("join", (items: unknown, separator: unknown) =>
    Array.isArray(items) ? items.join(typeof separator === "string" ? separator : ", ") : "",
  );
  hbs.registerHelper("single", (lines: unknown) => Array.isArray(lines) && lines.length === 1 && String(lines[0]).length <= 90);
  hbs.registerHelper("first", (lines: unknown) => (Array.isArray(lines) ? lines[0] : ""));
  const read = (name: string): string => {
    const file = join(dir, `${name}.hbs`);
    try {
      return readFileSync(file, "utf8");
    } catch {
      throw new GeneratorError("template is missing", file);
    }
  };
  for (const partial of ["doc", "class", "interface", "alias"]) hbs.registerPartial(partial, read(partial));
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  const template = (name: string, data: unknown): string => {
    let fn = compiled.get(name);
    if (!fn) {
      fn = hbs.compile(read(name), { noEscape: true, strict: false });
      compiled.set(name, fn);
    }
    return fn(data);
  };
  return {
    module: (model, context) => template("module", { ...model, ...context }),
    template,
  };
}
