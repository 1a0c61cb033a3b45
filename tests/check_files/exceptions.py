# Swallowed cancellation (DBOS601).
from dbos import DBOS


@DBOS.step()
def charge() -> None:
    pass


@DBOS.workflow()
def pay() -> None:
    try:
        charge()
    except:  # error: DBOS601
        pass
    try:
        charge()
    except BaseException:  # error: DBOS601
        DBOS.logger.exception("payment failed")
    try:
        charge()
    except (ValueError, BaseException):  # error: DBOS601
        return
    try:
        charge()
    except Exception:
        pass
    try:
        charge()
    except BaseException:
        DBOS.logger.exception("payment failed")
        raise


def not_a_workflow() -> None:
    try:
        charge()
    except:
        pass
