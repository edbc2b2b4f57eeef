// npx tsx docs/sync-examples.ts: copy each docs/examples file into the markdown blocks that embed it.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { markdownFiles, syncText } from "./embed.js";

for (const file of markdownFiles()) {
  const text = readFileSync(file, "utf8");
  let synced: string;
  try {
    synced = syncText(text);
  } catch (error) {
    console.error(`${relative(process.cwd(), file)}: ${(error as Error).message}`);
    process.exitCode = 1;
    continue;
  }
  if (synced !== text) {
    writeFileSync(file, synced);
    console.log(`updated ${relative(process.cwd(), file)}`);
  }
}
