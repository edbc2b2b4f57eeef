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

/** The sentence that says a field is deprecated, if there is one. */
export function deprecationNote(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const match = /(?:^|[\s.])(Deprecated(?::|\.|,)?\s[^\n]*?(?:\.(?=\s|$)|$))/m.exec(description);
  if (!match) return undefined;
  return match[1]!.trim();
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
  if (deprecated) allTags.push(`@deprecated ${escape(deprecated)}`);
  if (allTags.length > 0 && lines.length > 0) lines.push("");
  lines.push(...allTags);
  return lines;
}
