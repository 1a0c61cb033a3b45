# Name resolution: DBOS under other names, through instances, classes and wrappers.
import time as clock

import dbos
from dbos import DBOS as D

app_dbos = D(config={"name": "resolution-app"})  # error: DBOS403


@dbos.DBOS.workflow()
def via_module() -> float:
    return clock.time()  # error: DBOS101


@D.workflow()
def via_alias() -> float:
    return clock.monotonic()  # error: DBOS101


@app_dbos.workflow()
def via_instance() -> float:
    return clock.time()  # error: DBOS101


def stepped() -> float:
    return clock.time()


timed_step = D.step()(stepped)


@D.workflow()
def uses_wrapped_step() -> float:
    return timed_step() + D.run_step(None, stepped)


def run_by_run_step() -> None:
    D.recv("t")  # error: DBOS202


@D.workflow()
def uses_run_step() -> None:
    D.run_step(None, run_by_run_step)


@D.dbos_class()
class Agent(dbos.DBOSConfiguredInstance):
    @D.workflow()
    def act(self) -> float:
        return self.think()  # error: DBOS101

    def think(self) -> float:
        return clock.time()

    @D.step()
    def observe(self) -> float:
        return clock.time()


class NotDBOS:
    def workflow(self):
        return lambda f: f


fake = NotDBOS()


@fake.workflow()
def not_a_workflow() -> float:
    return clock.time()


def rebinding() -> None:
    D = NotDBOS()  # a local D is not DBOS

    @D.workflow()
    def inner() -> float:
        return clock.time()
