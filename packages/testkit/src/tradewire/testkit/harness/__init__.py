"""Start a gateway for a test: 127.0.0.1, a free port, ready once `/livez` answers, in a thread or a process."""

from tradewire.testkit.harness.gateway import GatewayHarness, Mode, running_gateway
from tradewire.testkit.harness.process import ProcessGateway
from tradewire.testkit.harness.ready import GatewayStartError, free_port
from tradewire.testkit.harness.running import RunningGateway
from tradewire.testkit.harness.thread import ThreadGateway

__all__ = [
    "GatewayHarness",
    "GatewayStartError",
    "Mode",
    "ProcessGateway",
    "RunningGateway",
    "ThreadGateway",
    "free_port",
    "running_gateway",
]
