# dbos imported only inside the functions that use it (a script that must set something up first):
# the file is still checked, and names resolve through those imports.
import os


def build():
    from dbos import DBOS, DBOSConfig, Queue

    config: "DBOSConfig" = {
        "name": "lazy-app",
        "system_database_url": os.environ.get("DBOS_SYSTEM_DATABASE_URL"),
        "application_database_url": "sqlite:///app.sqlite",  # error: DBOS004
        "run_admin_server": False,  # asks for what 3.x does anyway
    }
    DBOS(config=config)
    return Queue("jobs")  # error: DBOS001


def settings():
    from dbos import DBOSConfig

    other = {"database_url": "sqlite:///other.sqlite"}  # not annotated: some other dict
    config: DBOSConfig = {"name": "lazy-app", "database_url": other["database_url"]}  # error: DBOS004
    return config


def worker():
    from dbos import DBOS

    @DBOS.step()
    def fetch(url: str) -> str:
        return url

    @DBOS.workflow()
    def crawl(n: int) -> str:
        import random

        return fetch("a") if random.random() < 0.5 else fetch("b")  # error: DBOS102

    return crawl
