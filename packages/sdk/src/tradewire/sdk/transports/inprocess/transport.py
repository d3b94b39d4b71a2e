"""Strategy commands as direct calls on the engine's operations, at the current simulated instant."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk._requests import build_order
from tradewire.sdk.errors import TradewireError, refine
from tradewire.sdk.refusals import REFUSALS, Refusals
from tradewire.sdk.transports import BACKTEST_ID_SEED, ClientOrderIds
from tradewire.sdk.transports.inprocess.loader import engine

if TYPE_CHECKING:
    from tradewire.engine import Embedding

__all__ = ["InProcessTransport"]

#: Keywords of SubmitOrderRequest the engine's submit takes; the others are venue hints it ignores.
_ENGINE_FIELDS = frozenset(
    {
        "time_in_force",
        "limit_price",
        "stop_price",
        "trailing_distance",
        "trailing_type",
        "stop_loss",
        "take_profit",
        "client_order_id",
        "oco_group_id",
        "reduce_only",
        "post_only",
        "notional",
    }
)
_SIDES = {"BUY": 1, "SELL": 2, "buy": 1, "sell": 2}
_TYPES = {"MARKET": 1, "LIMIT": 2, "STOP": 3, "STOP_LIMIT": 4, "TRAILING_STOP": 5}


class InProcessTransport:
    """Strategy commands as direct calls on the engine's protocol operations, at the current simulated instant."""

    platform = "backtest"

    def __init__(self, bt: Embedding, refusals: Refusals) -> None:
        self.bt = bt
        self.operations = bt.operations
        self.refusals = refusals
        self.submitted = 0
        self.new_id = ClientOrderIds(BACKTEST_ID_SEED)
        #: Called after every command, so its events become their own delivery (as over the wire).
        self.after_command: Callable[[], None] | None = None
        #: Called before every command with the symbols whose positions it may fill at once (None: any),
        #: so the state keeps the view of the delivery being handled.
        self.before_command: Callable[[Sequence[str] | None], None] | None = None
        #: Called when the strategy asks to stop.
        self.on_stop_request: Callable[[], None] | None = None
        #: Called when the run is interrupted (Ctrl-C): the adapter raises Interrupted at its next delivery.
        self.on_interrupt: Callable[[], None] | None = None

    def interrupt(self) -> None:
        if self.on_interrupt is not None:
            self.on_interrupt()

    def request_stop(self) -> None:
        if self.on_stop_request is not None:
            self.on_stop_request()

    def _before(self, symbols: Sequence[str] | None) -> None:
        if self.before_command is not None:
            self.before_command(symbols)

    def _done(self) -> None:
        if self.after_command is not None:
            self.after_command()

    def submit(self, request: m.SubmitOrderRequest | None, fields: dict[str, Any]) -> m.OrderHandle:
        self.submitted += 1
        symbol = request.symbol if request is not None else fields.get("symbol")
        self._before((symbol,) if isinstance(symbol, str) else None)
        try:
            if request is not None:
                request = build_order(request, new_id=self.new_id)
                o = self.operations.submit_request(request)
            else:
                if not fields.get("client_order_id"):
                    fields["client_order_id"] = self.new_id()
                try:
                    symbol, side = fields["symbol"], fields["side"]
                    # an order sized by notional gives no quantity (the engine checks the pair)
                    quantity = (
                        fields.get("quantity") if fields.get("notional") is not None else fields["quantity"]
                    )
                except KeyError as e:
                    raise TypeError(f"submit_order needs symbol, side and quantity (missing {e})") from None
                kw = {k: v for k, v in fields.items() if k in _ENGINE_FIELDS and v is not None}
                if type(quantity) is float or any(type(v) is float for v in kw.values()):
                    raise TypeError("floats are never money: pass Decimal, int or decimal text")
                otype = fields.get("order_type") or "MARKET"
                # the engine's own int codes for the common spellings skip its enum parsing
                o = self.operations.submit(
                    symbol, _SIDES.get(side, side), quantity, _TYPES.get(otype, otype), **kw
                )
        except REFUSALS as e:
            return self.refusals.refused(refine(e), request or _described(fields, e))
        except TradewireError as e:
            raise refine(e) from None
        finally:
            self._done()
        return _Handle(o)  # type: ignore[return-value]

    def _command(self, fills: Sequence[str] | None, fn: Callable[..., Any], *args: Any) -> Any:
        self._before(fills)
        return self._call(fn, *args)

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except TradewireError as e:
            raise refine(e) from None
        finally:
            self._done()

    def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        return self._command((), self.operations.cancel, order_id)  # type: ignore[no-any-return]

    def cancel_all_orders(self, symbol: str | None) -> m.CancelAllResult:
        return self._command((), self.operations.cancel_all, symbol)  # type: ignore[no-any-return]

    def modify_order(self, order_id: str, **fields: Any) -> m.ModifyOrderResult:
        request = m.ModifyOrderRequest(**{k: None if v is None else codec.dec(v) for k, v in fields.items()})
        return self._command(None, self.operations.modify, order_id, request)  # type: ignore[no-any-return]

    def close_position(self, position_id: str, request: m.ClosePositionRequest) -> m.OrderHandle:
        self.submitted += 1
        return self._command(None, self.operations.close_position, position_id, request)  # type: ignore[no-any-return]

    def get_bars(self, symbol: str, timeframe: str, limit: int) -> list[m.Bar]:
        tf = codec.parse_enum(m.Timeframe, timeframe)
        return self._call(self.operations.bars, m.GetBarsRequest(symbol=symbol, timeframe=tf, limit=limit))  # type: ignore[no-any-return]

    def get_account(self) -> m.Account:
        return self.operations.account()

    def list_positions(self) -> list[m.Position]:
        return self.operations.list_positions()

    def list_orders(self) -> list[m.Order]:
        return self.operations.list_orders(None, False)


def _described(fields: dict[str, Any], error: TradewireError) -> m.SubmitOrderRequest:
    """The request a refused keyword submit stands for (`error` itself when the keywords cannot make one)."""
    try:
        return build_order(None, **fields)
    except (TypeError, ValueError, TradewireError):
        raise refine(error) from None


class _Handle:
    """The OrderHandle of an in-process submit: the same fields, the correlation id derived on access."""

    __slots__ = ("_status", "client_order_id", "id")

    def __init__(self, o: Any) -> None:
        self.id = o.id
        self.client_order_id = o.client_order_id
        self._status = o.status  # at submission, like the REST answer

    @property
    def status(self) -> m.OrderStatus:
        return m.OrderStatus(self._status)

    @property
    def correlation_id(self) -> str:
        return engine().correlation_id(self.id)  # type: ignore[no-any-return]

    def to_message(self) -> m.OrderHandle:
        """As the protocol OrderHandle (what the gateway would answer)."""
        return m.OrderHandle(
            id=self.id,
            client_order_id=self.client_order_id,
            correlation_id=self.correlation_id,
            status=self.status,
        )

    def __repr__(self) -> str:
        return f"OrderHandle(id={self.id!r}, client_order_id={self.client_order_id!r}, status={self.status.name})"
