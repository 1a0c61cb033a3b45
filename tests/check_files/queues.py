# Queue names (DBOS501): every registration is visible, so an unknown name is a typo.
from dbos import DBOS

ORDERS = "orders"


@DBOS.workflow()
def ship(order: int) -> int:
    return order


if __name__ == "__main__":
    DBOS.launch()
    DBOS.register_queue(ORDERS)
    DBOS.register_queue("emails")
    DBOS.enqueue_workflow("orders", ship, 1)
    DBOS.enqueue_workflow(ORDERS, ship, 1)
    DBOS.enqueue_workflow("order", ship, 1)  # error: DBOS501
    DBOS.retrieve_queue("email")  # error: DBOS501
    DBOS.create_schedule(schedule_name="s", workflow_fn=ship, schedule="* * * * *", queue_name="emails")
    name = input()
    DBOS.enqueue_workflow(name, ship, 1)  # unknown name: not judged
