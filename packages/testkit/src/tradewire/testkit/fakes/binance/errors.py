"""Binance's error answers: HTTP status, negative integer `code` and `msg`, as its APIs write them."""

from __future__ import annotations

from typing import Any

UNKNOWN = -1000
DISCONNECTED = -1001
TOO_MANY_REQUESTS = -1003
TIMEOUT = -1007
INVALID_MESSAGE = -1013  # filter failures
TOO_MANY_ORDERS = -1015
UNSUPPORTED_OPERATION = -1020
INVALID_TIMESTAMP = -1021
INVALID_SIGNATURE = -1022
ILLEGAL_CHARS = -1100
TOO_MANY_PARAMETERS = -1101
MANDATORY_PARAM = -1102
PARAM_NOT_REQUIRED = -1106
BAD_PRECISION = -1111
TIF_NOT_REQUIRED = -1114
INVALID_TIF = -1115
INVALID_ORDER_TYPE = -1116
INVALID_SIDE = -1117
BAD_INTERVAL = -1120
BAD_SYMBOL = -1121
OPTIONAL_PARAMS_BAD_COMBO = -1128
INVALID_PARAMETER = -1130
BAD_RECV_WINDOW = -1131
NEW_ORDER_REJECTED = -2010
CANCEL_REJECTED = -2011
NO_SUCH_ORDER = -2013
BAD_API_KEY_FMT = -2014
REJECTED_MBX_KEY = -2015
CANCEL_REPLACE_PARTIAL = -2021
CANCEL_REPLACE_FAILED = -2022
SUBSCRIPTION_ACTIVE = -2035
SUBSCRIPTION_INACTIVE = -2036
AMEND_REJECTED = -2038
UNAUTHORIZED = -1002
MORE_THAN_24_HOURS = -1127
HMAC_NOT_SUPPORTED = -4056

INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."
DUPLICATE_ORDER = "Duplicate order sent."
WOULD_TRIGGER = "Order would trigger immediately."
WOULD_TAKE = "Order would immediately match and take."
UNKNOWN_ORDER = "Unknown order sent."
MARKET_CLOSED = "Market is closed."
#: Binance's own spelling (errors.md, -2010 messages), "support" and all.
QUOTE_QTY_NOT_ALLOWED = "Quote order qty market orders are not support for this symbol."


class BinanceError(Exception):
    """An error answer: `{"code": ..., "msg": ...}` (plus `data` for cancel-replace) with its status."""

    def __init__(self, status: int, code: int, msg: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg
        self.headers = headers or {}
        self.data: dict[str, Any] | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.data is not None:
            body["data"] = self.data
        return body


def bad(code: int, msg: str) -> BinanceError:
    return BinanceError(400, code, msg)


def mandatory(name: str) -> BinanceError:
    return bad(MANDATORY_PARAM, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def not_required(name: str) -> BinanceError:
    return bad(PARAM_NOT_REQUIRED, f"Parameter '{name}' sent when not required.")


def invalid_value(name: str) -> BinanceError:
    return bad(INVALID_PARAMETER, f"Invalid data sent for a parameter '{name}'.")


def filter_failure(name: str) -> BinanceError:
    return bad(INVALID_MESSAGE, f"Filter failure: {name}")


def rejected(msg: str) -> BinanceError:
    return bad(NEW_ORDER_REJECTED, msg)


def bad_symbol() -> BinanceError:
    return bad(BAD_SYMBOL, "Invalid symbol.")


def no_such_order() -> BinanceError:
    return bad(NO_SUCH_ORDER, "Order does not exist.")


def cancel_rejected() -> BinanceError:
    return bad(CANCEL_REJECTED, UNKNOWN_ORDER)


def bad_key_format() -> BinanceError:
    return BinanceError(401, BAD_API_KEY_FMT, "API-key format invalid.")


def rejected_key() -> BinanceError:
    return BinanceError(401, REJECTED_MBX_KEY, "Invalid API-key, IP, or permissions for action.")


def bad_signature() -> BinanceError:
    return bad(INVALID_SIGNATURE, "Signature for this request is not valid.")


def outside_recv_window() -> BinanceError:
    return bad(INVALID_TIMESTAMP, "Timestamp for this request is outside of the recvWindow.")


def ahead_of_server() -> BinanceError:
    return bad(INVALID_TIMESTAMP, "Timestamp for this request was 1000ms ahead of the server's time.")


def too_much_weight(limit: int, retry_after: int) -> BinanceError:
    msg = (
        f"Too much request weight used; current limit is {limit} request weight per 1 MINUTE. "
        "Please use WebSocket Streams for live updates to avoid polling the API."
    )
    return BinanceError(429, TOO_MANY_REQUESTS, msg, {"Retry-After": str(retry_after)})


def banned(until_ms: int, retry_after: int) -> BinanceError:
    msg = (
        f"Way too much request weight used; IP banned until {until_ms}. "
        "Please use WebSocket Streams for live updates to avoid bans."
    )
    return BinanceError(418, TOO_MANY_REQUESTS, msg, {"Retry-After": str(retry_after)})


def too_many_orders(limit: int, interval: str, retry_after: int) -> BinanceError:
    msg = f"Too many new orders; current limit is {limit} orders per {interval}."
    return BinanceError(429, TOO_MANY_ORDERS, msg, {"Retry-After": str(retry_after)})


def timeout() -> BinanceError:
    # HTTP 408: the documented answer when the matching engine did not answer in time.
    msg = "Timeout waiting for response from backend server. Send status unknown; execution status unknown."
    return BinanceError(408, TIMEOUT, msg)


def internal(status: int = 500) -> BinanceError:
    return BinanceError(status, UNKNOWN, "An unknown error occurred while processing the request.")


def removed_endpoint() -> BinanceError:
    """The listenKey endpoints and methods (switched off in February 2026)."""
    return BinanceError(410, UNSUPPORTED_OPERATION, "This operation is not supported.")


def unknown_path() -> BinanceError:
    return BinanceError(404, UNSUPPORTED_OPERATION, "This operation is not supported.")


def illegal_client_id(name: str) -> BinanceError:
    return bad(
        ILLEGAL_CHARS,
        f"Illegal characters found in parameter '{name}'; legal range is '^[a-zA-Z0-9-_]{{1,36}}$'.",
    )


def duplicate_parameter(name: str) -> BinanceError:
    return bad(TOO_MANY_PARAMETERS, f"Duplicate values for parameter '{name}'.")


def too_much_precision(name: str) -> BinanceError:
    return bad(BAD_PRECISION, f"Parameter '{name}' has too much precision.")


def bad_recv_window(limit: int) -> BinanceError:
    return bad(BAD_RECV_WINDOW, f"recvWindow must be less than {limit}")


def invalid_side() -> BinanceError:
    return bad(INVALID_SIDE, "Invalid side.")


def invalid_order_type() -> BinanceError:
    return bad(INVALID_ORDER_TYPE, "Invalid orderType.")


def tif_not_required() -> BinanceError:
    return bad(TIF_NOT_REQUIRED, "TimeInForce parameter sent when not required.")


def invalid_tif() -> BinanceError:
    return bad(INVALID_TIF, "Invalid timeInForce.")


def bad_combination() -> BinanceError:
    return bad(OPTIONAL_PARAMS_BAD_COMBO, "Combination of optional parameters invalid.")


def bad_interval() -> BinanceError:
    return bad(BAD_INTERVAL, "Invalid interval.")


def more_than_24_hours() -> BinanceError:
    return bad(MORE_THAN_24_HOURS, "More than 24 hours between startTime and endTime.")


def either_id(id_name: str, client_name: str) -> BinanceError:
    return bad(
        MANDATORY_PARAM, f"Param '{client_name}' or '{id_name}' must be sent, but both were empty/null!"
    )


def amend_rejected(too_many: bool = False) -> BinanceError:
    msg = (
        "Order amend rejected: too many amends." if too_many else "Order amend (quantity increase) rejected."
    )
    return bad(AMEND_REJECTED, msg)


def too_many_lists() -> BinanceError:
    return rejected("Too many order lists.")


def oco_bad_prices() -> BinanceError:
    return rejected("The relationship of the prices for the orders is not correct.")


def cancel_replace_partial() -> BinanceError:
    return BinanceError(409, CANCEL_REPLACE_PARTIAL, "Order cancel-replace partially failed.")


def cancel_replace_failed() -> BinanceError:
    return bad(CANCEL_REPLACE_FAILED, "Order cancel-replace failed.")


def hmac_not_supported() -> BinanceError:
    return bad(HMAC_NOT_SUPPORTED, "HMAC_SHA256 API key is not supported.")


def not_logged_in() -> BinanceError:
    return BinanceError(401, UNAUTHORIZED, "You are not authorized to execute this request.")


def subscription_active() -> BinanceError:
    return bad(SUBSCRIPTION_ACTIVE, "User Data Stream subscription already active.")


def subscription_inactive() -> BinanceError:
    return bad(SUBSCRIPTION_INACTIVE, "User Data Stream subscription not active.")


def unsupported() -> BinanceError:
    return bad(UNSUPPORTED_OPERATION, "This operation is not supported.")


def invalid_json() -> BinanceError:
    return bad(INVALID_MESSAGE, "Invalid JSON.")
