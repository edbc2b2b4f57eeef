/**
 * An in-memory collection served like the apiserver serves one: paged lists with a
 * resourceVersion, and watches from a resourceVersion (410 Gone when it was compacted).
 * Only for local tests of resume and informer logic; server semantics are tested e2e.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { beginWatch, eventLine, startLocalServer, type LocalServer } from "./local-server.js";

interface Logged {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Record<string, unknown>;
}

export class FakeCollection {
  readonly objects = new Map<string, Record<string, unknown>>();
  private log: Logged[] = [];
  rv = 100;
  /** Watches from a version below this get 410 Gone. */
  compactedBelow = 0;
  private readonly watchers = new Set<{ res: ServerResponse; send: (entry: Logged) => void }>();
  server!: LocalServer;
  listCalls = 0;
  watchCalls = 0;
  /** When set, the next watch request gets this raw text and the connection ends. */
  nextWatchScript: string | undefined;

  async start(): Promise<this> {
    this.server = await startLocalServer((req, res, url) => this.handle(req, res, url));
    return this;
  }

  get path(): string {
    return "/api/v1/namespaces/default/configmaps";
  }

  upsert(name: string, data: Record<string, string>, labels: Record<string, string> = {}): void {
    this.rv += 1;
    const existing = this.objects.has(name);
    const object = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "default", resourceVersion: String(this.rv), labels },
      data,
    };
    this.objects.set(name, object);
    this.record({ rv: this.rv, type: existing ? "MODIFIED" : "ADDED", object });
  }

  remove(name: string): void {
    const object = this.objects.get(name);
    if (object === undefined) return;
    this.rv += 1;
    this.objects.delete(name);
    const last = { ...object, metadata: { ...(object.metadata as object), resourceVersion: String(this.rv) } };
    this.record({ rv: this.rv, type: "DELETED", object: last });
  }

  /** Forgets the event log up to now: watches from older versions get 410. */
  compact(): void {
    this.compactedBelow = this.rv;
    this.log = [];
  }

  cutWatches(): void {
    for (const watcher of this.watchers) watcher.res.socket?.destroy();
    this.watchers.clear();
  }

  private record(entry: Logged): void {
    this.log.push(entry);
    for (const watcher of this.watchers) watcher.send(entry);
  }

  private handle(_req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (url.searchParams.get("watch") === "true") return this.watch(res, url);
    this.listCalls += 1;
    const all = [...this.objects.values()].sort((a, b) =>
      String((a.metadata as { name: string }).name).localeCompare(String((b.metadata as { name: string }).name)),
    );
    const limit = Number(url.searchParams.get("limit") ?? all.length);
    const offset = Number(url.searchParams.get("continue") ?? 0);
    const items = all.slice(offset, offset + limit).map((o) => {
      const { apiVersion: _a, kind: _k, ...rest } = o;
      return rest;
    });
    const next = offset + limit < all.length ? String(offset + limit) : undefined;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMapList",
        metadata: { resourceVersion: String(this.rv), ...(next ? { continue: next } : {}) },
        items,
      }),
    );
  }

  private watch(res: ServerResponse, url: URL): void {
    this.watchCalls += 1;
    beginWatch(res);
    if (this.nextWatchScript !== undefined) {
      const script = this.nextWatchScript;
      this.nextWatchScript = undefined;
      res.write(script);
      res.socket?.destroy();
      return;
    }
    const from = Number(url.searchParams.get("resourceVersion") ?? this.rv);
    if (from < this.compactedBelow) {
      res.end(
        eventLine("ERROR", {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          message: `too old resource version: ${from} (${this.compactedBelow})`,
          reason: "Expired",
          code: 410,
        }),
      );
      return;
    }
    const send = (entry: Logged): void => void res.write(eventLine(entry.type, entry.object));
    for (const entry of this.log) if (entry.rv > from) send(entry);
    const watcher = { res, send };
    this.watchers.add(watcher);
    res.on("close", () => this.watchers.delete(watcher));
  }

  close(): Promise<void> {
    this.cutWatches();
    return this.server.close();
  }
}
