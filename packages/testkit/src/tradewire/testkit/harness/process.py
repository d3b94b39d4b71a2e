"""Mode "process": `python -m tradewire.gateway.cli serve` in a child process, set up through its environment."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tradewire.testkit.harness.ready import free_port, wait_live
from tradewire.testkit.harness.running import RunningGateway

__all__ = ["ProcessGateway", "environment", "start_process"]

_STOP_TIMEOUT_S = 15.0
# The caller's own gateway settings must not reach the child: it gets exactly what the test asked for.
_SCRUBBED = ("TRADEWIRE_", "GATEWAY_")


class ProcessGateway(RunningGateway):
    """A gateway in a child process: the process (for signals) and everything it wrote."""

    def __init__(self, url: str, api_key: str | None, process: subprocess.Popen[bytes], log: Path) -> None:
        super().__init__(url, api_key)
        self.process = process
        self.log = log

    def logs(self) -> str:
        """The process's stdout and stderr so far."""
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()

    def close(self) -> None:
        self.stop()
        try:
            self.process.wait(_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.unlink(missing_ok=True)


def environment(
    settings: Mapping[str, Any], api_key: str | None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The child's environment: this one without gateway settings, plus `settings` as `TRADEWIRE_*`
    and `extra` verbatim (a venue's own variables, e.g. the APCA_* lines of a fake broker)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
    env.update(extra or {})
    for name, value in settings.items():
        env[f"TRADEWIRE_{name.upper()}"] = _env_value(value)
    if api_key is not None:
        env["TRADEWIRE_API_KEY"] = api_key
    return env


def _env_value(value: Any) -> str:
    # pydantic-settings reads nested models and sequences from the environment as JSON
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, Mapping):
        return json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in value.items()})
    return json.dumps(list(value))


def start_process(
    settings: Mapping[str, Any],
    api_key: str | None,
    extra_args: Sequence[str],
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> ProcessGateway:
    """Run the console script's `serve` with `settings`, the command-line flags `extra_args` and the
    environment variables `env` (on top of `environment`'s).

    Raises:
        GatewayStartError: the process exited, or `/livez` did not answer within `timeout` seconds.
    """
    config = dict(settings)
    port = int(config.pop("port", 0)) or free_port()
    fd, name = tempfile.mkstemp(prefix="tradewire-gateway-", suffix=".log")
    log = Path(name)
    command = [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--port", str(port), *extra_args]
    try:
        # S603: the command is this interpreter and the caller's own flags.
        process = subprocess.Popen(  # noqa: S603
            command, env=environment(config, api_key, env), stdin=subprocess.DEVNULL, stdout=fd, stderr=fd
        )
    except BaseException:
        log.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    running = ProcessGateway(f"http://{config.get('host', '127.0.0.1')}:{port}", api_key, process, log)

    def exited() -> str | None:
        code = process.poll()
        return None if code is None else f"the process exited with status {code}"

    try:
        wait_live(running.url, time.monotonic() + timeout, exited, running.logs)
    except BaseException:
        with contextlib.suppress(OSError):
            running.close()
        raise
    return running
