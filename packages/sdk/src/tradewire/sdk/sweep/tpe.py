"""`tpe:N`: Optuna's TPE sampler asked and told in fixed-size batches, in trial-id order."""

# The sampler sees results only at batch boundaries and always in trial-id order, so the trials it
# proposes depend on the seed and the batch size, never on which worker finished first.
# `tradewire-sdk[tpe]`; Optuna is imported only here.

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.sweep.trials import Trial, grid

if TYPE_CHECKING:
    from tradewire.sdk.sweep.sweep import Sweep

__all__ = ["TPE_BATCH", "tpe_search"]

#: Trials per ask/tell round (fixed: part of what makes a TPE search reproducible).
TPE_BATCH = 16


def _optuna() -> Any:
    try:
        import optuna
    except ImportError as e:
        raise ConfigurationError(
            f"--search tpe needs Optuna: pip install 'tradewire-sdk[tpe]' ({e})"
        ) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def tpe_search(
    sweep: Sweep, evaluate: Callable[[Sequence[Trial]], list[dict[str, Any]]], batch: int = TPE_BATCH
) -> list[dict[str, Any]]:
    """Rows of `sweep.search.count` TPE trials (fewer when the constrained grid is smaller)."""
    optuna = _optuna()
    allowed = {tuple(str(v) for v in p.values()) for p in grid(sweep.space, sweep.constraint)}
    count = min(sweep.search.count or 0, len(allowed))
    sampler = optuna.samplers.TPESampler(seed=sweep.seed)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    choices = {p.name: [str(v) for v in p.values] for p in sweep.space}
    seen: set[tuple[str, ...]] = set()
    rows: list[dict[str, Any]] = []
    next_id = 0
    while next_id < count:
        asked: list[tuple[Any, Trial]] = []
        misses = 0
        while len(asked) < min(batch, count - next_id) and misses < 1000:
            trial = study.ask()
            text = tuple(trial.suggest_categorical(name, values) for name, values in choices.items())
            if text not in allowed or text in seen:
                # outside the constraint, or tried already: the sampler learns to avoid it
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                misses += 1
                continue
            seen.add(text)
            params = {p.name: _typed(p.kind, t) for p, t in zip(sweep.space, text, strict=True)}
            asked.append((trial, Trial(next_id, params)))
            next_id += 1
        if not asked:
            break
        done = evaluate([t for _, t in asked])
        for (trial, _), row in zip(asked, done, strict=True):
            if row["status"] == "ok" and row["objective"] is not None:
                study.tell(trial, float(row["objective"]))
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
        rows.extend(done)
    return rows


def _typed(kind: type, text: str) -> Any:
    if kind is bool:
        return text == "True"
    return Decimal(text) if kind is Decimal else kind(text)
