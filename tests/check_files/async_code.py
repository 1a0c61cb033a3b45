# Async code (DBOS301, DBOS302).
import asyncio
import subprocess
import time

import httpx
import requests

from dbos import DBOS


@DBOS.workflow()
async def notify(target: str) -> None:
    DBOS.send(target, "hi")  # error: DBOS301
    await DBOS.send_async(target, "hi")
    status = DBOS.get_event(target, "status").upper()  # error: DBOS301
    handle = DBOS.retrieve_workflow(target)  # error: DBOS301
    other = await DBOS.retrieve_workflow_async(target)
    started = DBOS.start_workflow(notify, "x")  # allowed: DBOS deliberately lets it through
    subprocess.run(["ls"])  # error: DBOS302
    await asyncio.to_thread(lambda: DBOS.send(target, "from a thread"))


@DBOS.step()
async def fetch(url: str) -> str:
    time.sleep(1)  # error: DBOS302
    await asyncio.sleep(1)
    page = requests.get(url)  # error: DBOS302
    async with httpx.AsyncClient() as client:
        page2 = await client.get(url)
    return page.text


@DBOS.step()
def fetch_sync(url: str) -> str:
    time.sleep(1)
    return requests.get(url).text


async def handler() -> None:
    values = [DBOS.recv("t") for _ in range(2)]  # error: DBOS301
    total = sum(DBOS.get_event("w", "k") for _ in range(2))  # error: DBOS301

    def inner() -> None:
        DBOS.recv("t")  # a plain function: whoever calls it decides

    for value in DBOS.read_stream("w", "k"):  # error: DBOS301
        print(value)
