"""Every shell command in every README runs as written (from a folder beside the repository's examples),
except those skipped below with their reason; a server command must come up and answer /livez.

The commands are taken from the fenced bash/sh/console blocks, and from unlabelled blocks whose every
line is a command. The one adaptation: a gateway the commands expect at 127.0.0.1:8080 is a test
gateway on a free port (its URL replaces that address, and TRADEWIRE_PORT moves a served one), so
the test never collides with anything on 8080.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
COMMAND_WORDS = ("pip ", "python ", "tradewire", "pytest ", "nox ", "curl ", "export ", "env ", "$ ")
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)

#: Commands that are not run, by a pattern of the command, with the reason.
SKIPPED = [
    (r"^(python -m )?pip install|^uv pip install", "installs packages from the package index (network)"),
    (r"APCA_API_KEY_ID=\.\.\.|--platform alpaca-paper$", "needs an Alpaca account and its keys (broker)"),
    (
        r"BINANCE_API_KEY=\.\.\.|--platform binance-testnet$",
        "needs a Binance testnet account and its keys (broker)",
    ),
    (
        r"fakes\.(alpaca|binance)|fake\.env",
        "a fake broker's server: runs until stopped, on a fixed port (broker)",
    ),
    (r"^python -m nox$|^nox -s", "runs a nox session: fresh virtualenvs from the package index (network)"),
    (r"^pytest( --pyargs)? ", "runs a test suite of its own (nox runs it)"),
    (r"^python benchmarks/", "a benchmark (minutes of CPU; run by hand, figures in the READMEs)"),
    (r"tradewire-conformance --matrix", "every offline conformance target: over a minute (nox runs it)"),
]


def readme_commands() -> Iterator[tuple[str, str]]:
    files = subprocess.run(
        ["git", "ls-files", "*README.md"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        for match in FENCE.finditer((ROOT / name).read_text()):
            lang, body = match.groups()
            lines = _logical_lines(body)
            if lang == "console" or body.lstrip().startswith("$ "):
                # a transcript: the prompted lines are commands, the others their output
                yield from ((name, line[2:]) for line in lines if line.startswith("$ "))
                continue
            commands = [line for line in lines if not line.startswith("#")]
            if lang in ("bash", "sh", "shell") or (
                commands and all(line.startswith(COMMAND_WORDS) for line in commands)
            ):
                yield from ((name, line) for line in commands)


def _logical_lines(body: str) -> list[str]:
    """The block's lines, continuation backslashes joined."""
    out: list[str] = []
    pending = ""
    for raw in body.splitlines():
        line = raw.strip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            out.append(line)
    return out


def _strip_comment(command: str) -> str:
    return re.sub(r"\s+#\s.*$", "", command).strip()


def _after_installs(command: str) -> str:
    """An install chained to a command (the README's first line, `pip install ... && tradewire ...`):
    the packages are installed here already, so what follows it runs as written. Alone, it stays."""
    parts = command.split(" && ")
    while len(parts) > 1 and re.search(SKIPPED[0][0], parts[0]):
        parts.pop(0)
    return " && ".join(parts)


COMMANDS = [(name, _after_installs(_strip_comment(cmd))) for name, cmd in readme_commands()]


def test_the_readmes_have_commands() -> None:
    assert len(COMMANDS) >= 20 and any(c.startswith("tradewire backtest") for _, c in COMMANDS)
    # the first thing a new user runs is run here too, not skipped with the install before it
    first = next(c for name, c in COMMANDS if name == "README.md")
    assert first.startswith("tradewire backtest") and not any(re.search(p, first) for p, _ in SKIPPED)


@pytest.fixture(scope="module")
def mock_gateway() -> Iterator[str]:
    """A mock gateway (key `s3cret`, as the spec's example sends) for conformance's url= target and curl."""
    from tradewire.testkit.harness import running_gateway

    with running_gateway("mock", mode="process", api_key="s3cret") as mock:
        yield mock.url


@pytest.fixture
def gateway(request: pytest.FixtureRequest, mock_gateway: str) -> Iterator[str]:
    """The gateway a command talks to: a fresh backtest one (a backtest runs once) for the commands
    that run on the backtest platform, else the mock."""
    from tradewire.testkit.harness import running_gateway

    if "--platform backtest" not in request.node.callspec.params["command"]:
        yield mock_gateway
        return
    with running_gateway("backtest", mode="process", api_key="s3cret") as backtest:
        yield backtest.url


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "packages").symlink_to(ROOT / "packages")
    return tmp_path


@pytest.mark.parametrize(("readme", "command"), COMMANDS, ids=[f"{n}: {c[:60]}" for n, c in COMMANDS])
def test_readme_command_runs_as_written(readme: str, command: str, gateway: str, sandbox: Path) -> None:
    for pattern, reason in SKIPPED:
        if re.search(pattern, command):
            pytest.skip(reason)
    command = command.replace("http://127.0.0.1:8080", gateway)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "TRADING_GATEWAY_URL": gateway,
        "TRADING_GATEWAY_API_KEY": "s3cret",
        "TRADEWIRE_PORT": str(_free_port()),
    }
    if re.match(r"^tradewire-gateway serve\b", command):
        _serves(command, sandbox, env)
        return
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=sandbox,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{readme}: {command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr


def _serves(command: str, cwd: Path, env: dict[str, str]) -> None:
    """A server command: it must answer /livez on its port, then it is stopped."""
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{env['TRADEWIRE_PORT']}/livez"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"{command}: exited {process.returncode}: {process.communicate()[1].decode()[-2000:]}"
                )
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        pytest.fail(f"{command}: nothing answered {url}")
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _free_port() -> int:
    from tradewire.testkit.harness import free_port

    return free_port()
