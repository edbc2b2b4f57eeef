/**
 * Turns spec descriptions into TSDoc lines: wrapped, with `*\/` and tag-like `@` escaped,
 * and a "Deprecated" sentence surfaced as `@deprecated`.
 */

const width = 96;

function wrap(paragraph: string): string[] {
  if (paragraph.length <= width || /^\s/.test(paragraph) || paragraph.startsWith("```")) return [paragraph];
  const words = paragraph.split(" ");
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function escape(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/(^|\s)@(?=[A-Za-z])/g, "$1\\@");
}

/**
 * What a description says about the field being deprecated: the text from "Deprecated" to
 * the end of its paragraph (a blank line, or a line break after a full stop; a line break
 * inside a sentence becomes a space), `""` when it says no more than "Deprecated.",
 * undefined when it does not say so.
 */
export function deprecationNote(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const match = /(?:^|[\s.])(Deprecated(?::|\.|,)?(?:\s|$)[\s\S]*?)(?:\n[ \t]*\n|(?<=\.)[ \t]*\n|$)/.exec(description);
  if (!match) return undefined;
  const text = match[1]!.replace(/\s+/g, " ").trim();
  return /^Deprecated[.:,]?$/.test(text) ? "" : text;
}

export interface DocInput {
  description?: string | undefined;
  /** Extra tag lines, e.g. `@defaultValue 1`. */
  tags?: string[];
}

export function docLines({ description, tags = [] }: DocInput): string[] {
  const lines: string[] = [];
  if (description && description.trim() !== "") {
    const paragraphs = escape(description.trim()).split("\n");
    for (const paragraph of paragraphs) lines.push(...wrap(paragraph.replace(/\s+$/, "")));
  }
  const deprecated = deprecationNote(description);
  const allTags = [...tags];
  if (deprecated !== undefined) allTags.push(deprecated === "" ? "@deprecated" : `@deprecated ${escape(deprecated)}`);
  if (allTags.length > 0 && lines.length > 0) lines.push("");
  lines.push(...allTags);
  return lines;
}
