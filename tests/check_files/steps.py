# Steps (DBOS201, DBOS202, DBOS203, DBOS210): each mistake beside the workflow-side equivalent.
import threading
from concurrent.futures import ThreadPoolExecutor

from dbos import DBOS

queue = DBOS.retrieve_queue("jobs")


@DBOS.workflow()
def child(n: int) -> int:
    return n


def start_child(n: int):
    return DBOS.start_workflow(child, n)


@DBOS.step()
def bad_step(n: int) -> int:
    child(n)  # error: DBOS201
    DBOS.start_workflow(child, n)  # error: DBOS201
    DBOS.enqueue_workflow("jobs", child, n)  # error: DBOS201
    queue.enqueue(child, n)  # error: DBOS201
    start_child(n)  # error: DBOS201
    DBOS.recv("topic")  # error: DBOS202
    DBOS.send("dest", n)  # error: DBOS210
    DBOS.send("dest", n, idempotency_key=f"{DBOS.workflow_id}-send")
    DBOS.set_event("progress", n)
    return n


@DBOS.workflow()
def parent(n: int) -> int:
    handle = DBOS.start_workflow(child, n)
    DBOS.enqueue_workflow("jobs", child, n)
    message = DBOS.recv("topic")
    DBOS.send("dest", n)  # in a workflow the send is its own checkpointed step
    with ThreadPoolExecutor() as pool:
        pool.submit(child, n)  # error: DBOS203
        pool.submit(bad_step, n)  # steps in threads are another matter, not judged here
    threading.Thread(target=child, args=(n,)).start()  # error: DBOS203
    return handle.get_result()


def main() -> None:
    with ThreadPoolExecutor() as pool:
        pool.map(child, range(3))  # top-level workflows from plain code are fine


@DBOS.dbos_class()
class Billing:
    @DBOS.workflow()
    def charge(self, amount: int) -> int:
        return self.record(amount)

    @DBOS.step()
    def record(self, amount: int) -> int:
        self.charge(amount)  # error: DBOS201
        return amount


def plain(n: int) -> int:
    return child(n)  # error: DBOS201


wrapped = DBOS.step()(plain)
