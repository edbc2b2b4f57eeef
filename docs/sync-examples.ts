// npx tsx docs/sync-examples.ts: copy each docs/examples file into the markdown blocks that embed it.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { markdownFiles, syncText } from "./embed.js";

for (const file of markdownFiles()) {
  const text = readFileSync(file, "utf8");
  const synced = syncText(text);
  if (synced !== text) {
    writeFileSync(file, synced);
    console.log(`updated ${relative(process.cwd(), file)}`);
  }
}
