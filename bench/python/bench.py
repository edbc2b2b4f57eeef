"""One measurement of the Python kubex column (aiohttp backend), mirroring bench/worker.ts.

Reads the task from BENCH_TASK (JSON), prints `BENCH_RESULT <json>`. Run by bench/run.ts
with the project-local virtualenv's interpreter (.venv-bench/) and KUBECONFIG set.
"""

import asyncio
import gc
import json
import os
import resource
import sys
import time
import tracemalloc

from kubex.api import Api
from kubex.client import create_client
from kubex.client.client import ClientChoice
from kubex.k8s.v1_36.core.v1.config_map import ConfigMap
from kubex.k8s.v1_36.core.v1.pod import Pod


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss_now() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def tcp_connections_to(port):
    """Established TCP connections this process holds to `port` (mirrors tcpConnectionsTo in bench/measure.ts)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    suffix = ":%04X" % port
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) >= 10 and fields[3] == "01" and fields[2].endswith(suffix) and fields[9] in inodes:
                count += 1
    return count


async def time_each(iterations, run):
    """Wall-clock ms per iteration, and this process's CPU ms per iteration."""
    samples = []
    cpu_before = time.process_time()
    for _ in range(iterations):
        start = time.perf_counter_ns()
        await run()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    cpu = (time.process_time() - cpu_before) * 1000
    return {"samples": samples, "cpuMsPerOp": cpu / iterations}


async def measure(task, client):
    row = task["row"]
    namespace = task["namespace"]
    count = task["count"]
    warmup = task["warmup"]
    iterations = task["iterations"]

    if row == "get":
        api = Api(Pod, client=client, namespace=namespace)
        name = task["name"]
        for _ in range(warmup):
            await api.get(name)
        before = rss_now()
        timed = await time_each(iterations, lambda: api.get(name))
        return {**timed, "rssBeforeBytes": before, "peakRssBytes": peak_rss()}

    if row.startswith("list-"):
        kind = ConfigMap if row == "list-configmaps-5000" else Pod
        api = Api(kind, client=client, namespace=namespace)
        # With a kube-controller-manager running, every namespace also holds its kube-root-ca.crt ConfigMap.
        expected = count + sum(1 for item in (await api.list()).items if item.metadata.name == "kube-root-ca.crt")

        async def run():
            result = await api.list()
            if len(result.items) != expected:
                raise RuntimeError(f"listed {len(result.items)} objects, expected {expected}")

        for _ in range(warmup):
            await run()
        gc.collect()
        before = rss_now()
        timed = await time_each(iterations, run)
        peak = peak_rss()
        # Python's counterpart of "heap held": what tracemalloc sees still allocated while one result is held.
        tracemalloc.start()
        gc.collect()
        held_before = tracemalloc.get_traced_memory()[0]
        kept = await api.list()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - held_before
        tracemalloc.stop()
        return {**timed, "heapDeltaBytes": held, "rssBeforeBytes": before, "peakRssBytes": peak, "note": f"{len(kept.items)} items"}

    if row == "watch-50":
        api = Api(ConfigMap, client=client, namespace=namespace)

        async def run():
            seen = 0
            events = api.watch(resource_version=task["resourceVersion"], field_selector=f"metadata.name={task['name']}")
            try:
                async for event in events:
                    if event.type.value == "MODIFIED":
                        seen += 1
                        if seen >= count:
                            return
            finally:
                await events.aclose()
            raise RuntimeError(f"watch ended after {seen} of {count} MODIFIED events")

        for _ in range(warmup):
            await run()
        before = rss_now()
        timed = await time_each(iterations, run)
        return {**timed, "rssBeforeBytes": before, "peakRssBytes": peak_rss()}

    if row == "watch-events":
        api = Api(ConfigMap, client=client, namespace=namespace)

        async def run():
            seen = 0
            events = api.watch()
            try:
                async for _event in events:
                    seen += 1
                    if seen >= count:
                        return
            finally:
                await events.aclose()
            raise RuntimeError(f"watch ended after {seen} of {count} events")

        for _ in range(warmup):
            await run()
        gc.collect()
        before = rss_now()
        timed = await time_each(iterations, run)
        return {**timed, "rssBeforeBytes": before, "peakRssBytes": peak_rss()}

    if row == "informer-10000":
        return {"error": "not available: kubex (Python) has no informer"}

    if row == "connections-informers":
        # No informer in the Python kubex: as many watches held open at once (each past its first event).
        api = Api(ConfigMap, client=client, namespace=namespace)
        before = rss_now()
        cpu_before = time.process_time()
        start = time.perf_counter_ns()
        watches = [api.watch() for _ in range(iterations)]
        try:
            await asyncio.gather(*(w.__anext__() for w in watches))
            await asyncio.sleep(0.2)
            connections = tcp_connections_to(task["apiserverPort"])
        finally:
            for w in watches:
                await w.aclose()
        return {
            "samples": [(time.perf_counter_ns() - start) / 1e6],
            "cpuMsPerOp": (time.process_time() - cpu_before) * 1000,
            "connections": connections,
            "rssBeforeBytes": before,
            "peakRssBytes": peak_rss(),
            "note": f"{iterations} watches (no informer in kubex Python)",
        }

    if row == "connections-gets":
        api = Api(Pod, client=client, namespace=namespace)
        name = task["name"]
        for _ in range(warmup):
            await api.get(name)
        before = rss_now()
        peak = tcp_connections_to(task["apiserverPort"])
        done = False

        async def sample():
            nonlocal peak
            while not done:
                peak = max(peak, tcp_connections_to(task["apiserverPort"]))
                await asyncio.sleep(0.005)

        sampler = asyncio.ensure_future(sample())
        cpu_before = time.process_time()
        start = time.perf_counter_ns()
        await asyncio.gather(*(api.get(name) for _ in range(iterations)))
        elapsed = (time.perf_counter_ns() - start) / 1e6
        cpu = (time.process_time() - cpu_before) * 1000
        done = True
        await sampler
        peak = max(peak, tcp_connections_to(task["apiserverPort"]))
        return {"samples": [elapsed], "cpuMsPerOp": cpu / iterations, "connections": peak, "rssBeforeBytes": before, "peakRssBytes": peak_rss(), "note": f"{iterations} concurrent GETs"}

    return {"error": f"unknown row {row}"}


async def main():
    task = json.loads(os.environ["BENCH_TASK"])
    client = await create_client(client_class=ClientChoice.AIOHTTP)
    async with client:
        return await measure(task, client)


if __name__ == "__main__":
    try:
        result = asyncio.run(main())
    except Exception as error:  # reported in the table, not a crash of the runner
        result = {"error": f"{type(error).__name__}: {error}"}
    print("BENCH_RESULT " + json.dumps(result), flush=True)
    sys.exit(1 if "error" in result else 0)
