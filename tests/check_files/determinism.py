# Workflow bodies (DBOS101-DBOS106, DBOS110, DBOS120): the same calls in steps, nested functions or plain code are fine.
import datetime
import functools
import os
import random
import sqlite3
import time
import uuid
from datetime import datetime as dt
from pathlib import Path

import requests
from faker import Faker
from openai import OpenAI

from dbos import DBOS, Queue

client = OpenAI()
fake = Faker()
COUNTER = 0
CACHE = None


def stamp() -> float:
    return time.time()


def two_deep() -> float:
    return stamp()


def pure(x: int) -> int:
    return x * 2


@DBOS.step()
def fetch(url: str) -> str:
    global CACHE
    if CACHE is None:
        CACHE = requests.Session()  # lazy initialisation is fine
    return requests.get(url, timeout=10).text + str(time.time()) + str(uuid.uuid4())


@DBOS.workflow()
def checkout(order: str) -> str:
    global COUNTER
    started = time.time()  # error: DBOS101
    today = datetime.date.today()  # error: DBOS101
    now = dt.now()  # error: DBOS101
    later = time.localtime(0)  # with an argument it is deterministic
    token = uuid.uuid4()  # error: DBOS102
    pick = random.choice([1, 2])  # error: DBOS102
    mode = os.environ.get("MODE")  # error: DBOS103
    mode2 = os.getenv("MODE")  # error: DBOS103
    flag = "DEBUG" in os.environ  # error: DBOS103
    text = open("orders.txt").read()  # error: DBOS104
    data = Path("x.json").read_text()  # error: DBOS104
    page = requests.post("https://example.com", json={})  # error: DBOS105
    reply = client.chat.completions.create(model="m", messages=[])  # error: DBOS105
    rows = sqlite3.connect("app.db")  # error: DBOS106
    time.sleep(5)  # error: DBOS110
    DBOS.sleep(5)
    stamp()  # error: DBOS101
    two_deep()  # error: DBOS101
    pure(3)
    fetch("https://example.com")
    COUNTER += 1  # error: DBOS120
    later_value = DBOS.run_step(None, lambda: time.time())
    DBOS.logger.info(f"checkout took {time.time() - started:.1f} s")  # only logged: harmless
    print("at", dt.now())
    DBOS.set_event("finished_at", time.time())  # checkpointed: a replay keeps the recorded value
    fetch(f"https://example.com/?nonce={uuid.uuid4()}")  # a step's argument: the step's result is replayed
    DBOS.sleep(random.uniform(1, 2))  # DBOS.sleep checkpoints its wake-up time
    tick = time.perf_counter()
    fetch("https://example.com")
    elapsed = time.perf_counter() - tick  # kept only for the log line below
    durations = []
    durations.append(time.monotonic() - tick)
    DBOS.logger.info(f"fetched in {elapsed:.2f} s, {sum(durations)}")
    deadline = time.monotonic() + 60  # error: DBOS101
    while time.monotonic() < deadline:  # error: DBOS101
        fetch("https://example.com")
    unused = time.time()  # a value nothing reads cannot steer a replay
    recorder = Recorder(dt.now().isoformat())  # reaches only the step below, whose result is replayed
    recorder.record(1)
    return pure(started + today.day + now.day + pick) and f"{order}{token}{mode}{mode2}{flag}{text}{data}{page}{reply}{rows}"
    deferred = lambda: random.random()  # a lambda's body runs who knows where: not judged


@DBOS.workflow()
async def remind() -> None:
    import asyncio

    await asyncio.sleep(0)  # a zero sleep only yields to the loop
    await asyncio.sleep(60)  # error: DBOS110
    await DBOS.sleep_async(60)


class Recorder:
    def __init__(self, label: str) -> None:
        self.label = label

    @DBOS.step()
    def record(self, n: int) -> str:
        return f"{self.label}:{n}"


@DBOS.step()
def count_calls() -> None:
    global COUNTER
    COUNTER = COUNTER + 1  # a step's counter: not judged


def not_a_workflow() -> float:
    random.seed(1)
    return time.time() + random.random()


def shadowing(time: float) -> float:
    return time


@DBOS.workflow()
def shadowed(random: list) -> int:
    return random.choice()  # `random` is the parameter here, not the module


@functools.lru_cache
def cached_stamp() -> float:
    return time.time()


@some_retry_decorator
def wrapped_stamp() -> float:
    return time.time()


@DBOS.workflow()
def decorated_helpers() -> float:
    return cached_stamp() + wrapped_stamp()  # error: DBOS101


# A read whose value no replay can see differently.


@DBOS.workflow()
def crash_test(pages: int) -> None:
    for page in range(pages):
        fetch(f"https://example.com/{page}")
        if random.random() < 0.1:  # the coin only decides whether the process dies here
            import ctypes

            print("simulating a crash")
            ctypes.string_at(0)
        dice = random.random()
        if dice < 0.1:  # stored first: the same crash test
            os._exit(1)
        if random.random() < 0.1:  # error: DBOS102
            fetch("https://example.com/extra")  # recorded before the crash: a replay may not run it
            os._exit(1)
        if random.random() < 0.1:  # error: DBOS102
            raise RuntimeError("simulated failure")  # the workflow's outcome, not the process, changes


def credentials() -> str:
    return dt.now().isoformat()


@DBOS.workflow()
def uses_a_helper_value() -> None:
    issued = credentials()  # the helper records nothing and its value only reaches the log line
    DBOS.logger.info(f"credentials issued at {issued}")
    fetch("https://example.com")
    if credentials() > "2030":  # error: DBOS101
        fetch("https://example.com/late")


chunks = Queue("chunks")  # error: DBOS001


@DBOS.step()
def store(rows: list) -> int:
    return len(rows)


@DBOS.workflow()
def fan_out(rows: list) -> None:
    batch = []
    for row in rows:
        batch.append({"id": uuid.uuid4(), **row})  # reaches only the enqueue, a recorded child start
    chunks.enqueue(store, batch)


@DBOS.workflow()
def crawl(n: int) -> dict:
    pages = {}
    for _ in range(n):
        url = fake.url()  # error: DBOS102
        pages[url] = fetch(url)  # the keys of the result differ on a replay, the recorded pages do not
    fetch(fake.url())  # a step's argument only: harmless
    return pages


@DBOS.workflow()
def reset_on_retry(order: str) -> None:
    global COUNTER
    match order:
        case "retry":
            COUNTER = 0  # error: DBOS120
