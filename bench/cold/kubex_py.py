"""Cold start of the Python kubex: import + create_client() + one typed GET, then this process's CPU."""

import asyncio
import resource
import sys

from kubex.api import Api
from kubex.client import create_client
from kubex.client.client import ClientChoice
from kubex.k8s.v1_36.core.v1.pod import Pod


async def main(namespace, name):
    client = await create_client(client_class=ClientChoice.AIOHTTP)
    async with client:
        pod = await Api(Pod, client=client, namespace=namespace).get(name)
        if pod.metadata.name != name:
            raise RuntimeError(f"read {pod.metadata.name}, expected {name}")


asyncio.run(main(sys.argv[1], sys.argv[2]))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"COLD {(usage.ru_utime + usage.ru_stime) * 1000}", flush=True)
