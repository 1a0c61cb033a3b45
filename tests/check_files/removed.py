# Removed and deprecated 3.x APIs (DBOS001-DBOS008), each beside the 3.x spelling that is fine.
import os

from fastapi import FastAPI
from dbos import DBOS, DBOSConfig, Queue, SQLAlchemyDatasource

app = FastAPI()
orders = Queue("orders", concurrency=5)  # error: DBOS001
maybe: Queue = None  # the type is still exported: annotations are fine

ds = SQLAlchemyDatasource.create("sqlite:///app.sqlite")


@DBOS.transaction()  # error: DBOS002
def insert_row() -> None:
    DBOS.sql_session.execute("SELECT 1")  # error: DBOS002


@ds.transaction()
def insert_row_3x() -> None:
    ds.sql_session().execute("SELECT 1")


@DBOS.scheduled("* * * * *")  # error: DBOS002
@DBOS.workflow()
def every_minute(scheduled, actual) -> None:
    pass


DBOS.register_instance(object())  # error: DBOS002

config: DBOSConfig = {
    "name": "orders-app",
    "system_database_url": os.environ.get("DBOS_SYSTEM_DATABASE_URL"),
    "application_database_url": "sqlite:///app.sqlite",  # error: DBOS004
    "run_admin_server": True,  # error: DBOS004
    "enable_patching": True,  # error: DBOS008
}
other_settings = {"database_url": "not a DBOS config", "enable_patching": True}


def settings() -> DBOSConfig:
    return {"name": "orders-app", "admin_port": 3001}  # error: DBOS004


def quiet_settings() -> DBOSConfig:
    return {"name": "orders-app", "run_admin_server": False, "admin_port": 3001, "database_url": None}  # asks for what 3.x does


if __name__ == "__main__":
    DBOS(fastapi=app, config=config)  # error: DBOS003
    DBOS(config=config)
    DBOS(config={"name": "orders-app", "database_url": "x"})  # error: DBOS004
    DBOS.launch()
    DBOS.register_queue("a", priority_enabled=True)  # error: DBOS005
    DBOS.register_queue("b", partition_queue=True)  # error: DBOS006
    DBOS.register_queue("c", concurrency=3)  # error: DBOS007
    DBOS.register_queue("d", global_concurrency=3, partition_concurrency=1)
    DBOS.retrieve_queue("d").enqueue(every_minute, None, None)
    FastAPI().post("/transaction")  # an attribute named like a removed one, on something else
