/** Turns measurements into the printed tables and the JSON written to bench/results/. */
import { percentile, type Measurement } from "./measure.js";
import { isColdRow, type ColumnId, type RowId } from "./tasks.js";

export type Outcome = Measurement | { error: string };

export const columnTitles: Record<ColumnId, string> = {
  floor: "raw undici (floor)",
  "kubex-ts": "kubex-ts",
  "client-node": "client-node",
  "kubex-py": "kubex (Python)",
};

/** One printed line: a figure per column, lower is better unless `higherIsBetter`. */
export interface Line {
  label: string;
  unit: string;
  higherIsBetter?: boolean;
  values: Partial<Record<ColumnId, number | string>>;
}

function failed(outcome: Outcome | undefined): outcome is { error: string } | undefined {
  return outcome === undefined || "error" in outcome;
}

export function timeLines(row: RowId, label: string, count: number, outcomes: Partial<Record<ColumnId, Outcome>>): Line[] {
  const pick = (f: (m: Measurement) => number): Partial<Record<ColumnId, number | string>> =>
    Object.fromEntries(
      Object.entries(outcomes).map(([column, outcome]) => [column, failed(outcome) ? (outcome?.error ?? "not run") : f(outcome)]),
    );
  const cpu: Line = { label: `${label}: client CPU per op`, unit: "ms", values: pick((m) => m.cpuMsPerOp) };
  if (isColdRow(row)) {
    return [
      { label: `${label} p50 (cold)`, unit: "ms", values: pick((m) => percentile(m.samples, 50)) },
      { label: `${label}: process CPU (cold)`, unit: "ms", values: pick((m) => m.cpuMsPerOp) },
    ];
  }
  if (row === "connections-informers" || row === "connections-gets") {
    return [
      { label: `${label}: TCP connections to the apiserver, most at once`, unit: "conns", values: pick((m) => m.connections ?? NaN) },
      {
        label: `${label}: client CPU ${row === "connections-gets" ? "per GET" : "to start and sync all"}`,
        unit: "ms",
        values: pick((m) => m.cpuMsPerOp),
      },
    ];
  }
  if (row === "get") {
    return [
      { label: `${label} p50`, unit: "ms", values: pick((m) => percentile(m.samples, 50)) },
      { label: `${label} p99`, unit: "ms", values: pick((m) => percentile(m.samples, 99)) },
      cpu,
    ];
  }
  if (row === "watch-events") {
    return [{ label, unit: "events/s", higherIsBetter: true, values: pick((m) => count / (percentile(m.samples, 50) / 1000)) }, cpu];
  }
  return [
    {
      label: row === "informer-10000" ? `${label}: time to sync p50` : `${label} p50`,
      unit: "ms",
      values: pick((m) => percentile(m.samples, 50)),
    },
    cpu,
  ];
}

export function memoryLines(label: string, outcomes: Partial<Record<ColumnId, Outcome>>): Line[] {
  const pick = (f: (m: Measurement) => number | undefined): Partial<Record<ColumnId, number | string>> =>
    Object.fromEntries(
      Object.entries(outcomes).map(([column, outcome]) => {
        if (failed(outcome)) return [column, "-"];
        const value = f(outcome);
        return [column, value === undefined ? "n/a" : value / 2 ** 20];
      }),
    );
  const lines: Line[] = [
    { label: `${label}: peak RSS`, unit: "MB", values: pick((m) => m.peakRssBytes) },
    { label: `${label}: heap held`, unit: "MB", values: pick((m) => m.heapDeltaBytes) },
  ];
  return lines.filter((line) => Object.values(line.values).some((v) => typeof v === "number"));
}

function format(value: number | string | undefined): string {
  if (value === undefined) return "-";
  if (typeof value === "string") return value.length > 24 ? `${value.slice(0, 23)}…` : value;
  if (Number.isNaN(value)) return "-";
  if (Number.isInteger(value)) return String(value);
  if (value >= 1000) return value.toFixed(0);
  if (value >= 100) return value.toFixed(1);
  return value.toFixed(2);
}

/** "x / floor" as a time ratio (>1 = slower or bigger than the reference). */
export function ratio(line: Line, column: ColumnId, reference: ColumnId): number | undefined {
  const a = line.values[column];
  const b = line.values[reference];
  if (typeof a !== "number" || typeof b !== "number" || !(a > 0) || !(b > 0)) return undefined;
  return line.higherIsBetter ? b / a : a / b;
}

export function renderTable(lines: Line[], columns: ColumnId[], withRatios: boolean): string {
  const header = ["row", "unit", ...columns.map((c) => columnTitles[c])];
  if (withRatios)
    header.push(...columns.filter((c) => c !== "floor").map((c) => `${c} / floor`), "kubex-ts / client-node", "kubex-ts / kubex-py");
  const rows = lines.map((line) => {
    const cells = [line.label, line.unit, ...columns.map((c) => format(line.values[c]))];
    if (withRatios) {
      for (const c of columns.filter((c) => c !== "floor")) {
        const r = ratio(line, c, "floor");
        cells.push(r === undefined ? "-" : `${r.toFixed(2)}x`);
      }
      for (const other of ["client-node", "kubex-py"] as const) {
        const r = ratio(line, "kubex-ts", other);
        cells.push(r === undefined ? "-" : `${r.toFixed(2)}x`);
      }
    }
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [
    render(header),
    `|${widths.map((w, i) => (i < 2 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...rows.map(render),
  ].join("\n");
}
