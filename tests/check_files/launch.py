# Launch order (DBOS401, DBOS402, DBOS403 when selected).
import os

from dbos import DBOS, SQLAlchemyDatasource

DBOS.register_queue("early")  # error: DBOS401
DBOS(config={"name": "orders-app"})  # error: DBOS403


@DBOS.workflow()
def ship(order: int) -> int:
    return order


def main() -> None:
    DBOS(config={"name": "orders-app", "system_database_url": os.environ.get("DBOS_SYSTEM_DATABASE_URL")})
    DBOS.listen_queues(["orders"])
    ds = SQLAlchemyDatasource.create("sqlite:///app.sqlite")
    DBOS.register_queue("orders")  # error: DBOS401
    ship(1)  # error: DBOS401
    DBOS.launch()
    DBOS.register_queue("orders")
    DBOS.listen_queues(["orders"])  # error: DBOS402
    late = SQLAlchemyDatasource.create("sqlite:///late.sqlite")  # error: DBOS402
    ship(2)
    DBOS.destroy()
    DBOS(config={"name": "orders-app"})
    DBOS.listen_queues(["orders"])  # a new instance, not launched yet
    DBOS.launch()


def tests_after_a_fixture_launched() -> None:
    DBOS.register_queue("orders")  # no launch here: the caller may have launched


if __name__ == "__main__":
    main()
