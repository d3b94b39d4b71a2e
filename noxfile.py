"""Every check CI runs, as nox sessions. `nox` runs the default set, exactly what CI runs.

    nox                                   # codegen_check, lint, typecheck, tests, ray, schemathesis [, conformance]
    nox -s codegen                        # regenerate the bindings from protocol/ (`-- --check` to compare)
    nox -s lint typecheck
    nox -s "tests(package='engine')"      # one package alone, from a fresh venv
    nox -s "conformance(target='engine')" # one target; "conformance(target='gateway-alpaca-fake')" ...
    nox -s schemathesis                   # the OpenAPI document against a live mock gateway, every check
    nox -s bench                          # opt-in benchmarks, never in the default run
    nox -s differential                   # opt-in: many generated strategies, in-process vs wire
    nox -s soak                           # opt-in: 50 clients, abuse and SIGTERM against a mock gateway
    nox -R                                # reuse venvs and skip installs, for fast local reruns

Sessions run on the interpreter nox runs on; CI runs the same `nox` once per Python version.

Internal distributions (`tradewire-*`) are not on PyPI, so every install passes the local path of each
internal dependency in the same call; the resolver then never looks them up on an index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import nox
from nox.command import CommandFailed

nox.needs_version = ">=2024.4.15"
# uv when it is installed (fast, cached), plain virtualenv + pip otherwise.
nox.options.default_venv_backend = "uv|virtualenv"
# Fresh venvs by default, as CI needs; `nox -r` / `nox -R` reuse them locally.
nox.options.reuse_venv = "no"
nox.options.error_on_external_run = True
# A caller's PYTHONPATH would reach into every session's venv and defeat the isolation.
os.environ.pop("PYTHONPATH", None)

ROOT = Path(__file__).resolve().parent
PACKAGES = ("protocol", "engine", "gateway", "sdk", "brokers", "testkit")
TEST_TOOLS = ("pytest>=8", "pytest-asyncio>=0.24", "hypothesis>=6.100")
# Extras each package's own tests exercise: the optional paths are tested, not just the core.
TEST_EXTRAS: dict[str, tuple[str, ...]] = {
    "engine": ("parquet", "pandas", "report"),
    "gateway": ("backtest",),
    "sdk": ("backtest", "fast", "sweep"),  # both stream drivers: the tests run with each
    # The adapters' HTTP and WebSocket clients; the shared live layer itself needs neither.
    "brokers": ("alpaca", "binance"),
    # The wire-level fake brokers (aiohttp): tested, and type-checked with their server library.
    "testkit": ("fakes",),
}
CODEGEN_REQUIREMENTS = "protocol/codegen-requirements.txt"
CONFORMANCE_DIR = ROOT / "packages/testkit/src/tradewire/testkit/conformance"
# Target -> the testkit extras it needs (declared in packages/testkit/pyproject.toml).
CONFORMANCE_TARGETS = {
    "engine": ("engine",),
    "gateway-backtest": ("gateway",),
    "gateway-mock": ("gateway",),
    # the Alpaca adapter behind `tradewire-gateway serve --platform alpaca-paper`, on the fake Alpaca
    "gateway-alpaca-fake": ("gateway", "fakes", "alpaca"),
    # the Binance adapter the gateway serves as `binance-testnet`, on the fake Binance
    "gateway-binance-fake": ("gateway", "fakes", "binance"),
}
# Lint and type-check tools, pinned so a new release never turns CI red on its own; bump deliberately.
MYPY = "mypy==2.4.1"
IMPORT_LINTER = "import-linter==2.17"
BUF = "buf-bin==1.75.0"
# Minor releases add checks: a range within one minor, bumped deliberately like the pins above.
SCHEMATHESIS = "schemathesis>=4.32.5,<4.33"


def _pinned(requirements: str, name: str) -> str:
    """The `name==x.y.z` line of a requirements file, so lint formats with the generator's ruff."""
    for line in (ROOT / requirements).read_text().splitlines():
        if re.match(rf"{re.escape(name)}\s*==", line.strip()):
            return line.strip()
    raise LookupError(f"{name} is not pinned in {requirements}")


RUFF = _pinned(CODEGEN_REQUIREMENTS, "ruff")


# --- which local paths an install needs ------------------------------------------------------------

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")


def _pyproject(package: str) -> dict:
    return tomllib.loads((ROOT / "packages" / package / "pyproject.toml").read_text())


def _split(requirements: list[str]) -> tuple[dict[str, set[str]], list[str]]:
    """({short name: extras} of the tradewire-* requirements, the other requirements verbatim)."""
    internal: dict[str, set[str]] = {}
    external: list[str] = []
    for requirement in requirements:
        match = _REQ.match(requirement)
        if match and match.group(1).startswith("tradewire-"):
            wanted = {e.strip() for e in (match.group(2) or "").split(",") if e.strip()}
            internal.setdefault(match.group(1).removeprefix("tradewire-"), set()).update(wanted)
        else:
            external.append(requirement)
    return internal, external


def _internal_requirements(package: str, extras: tuple[str, ...]) -> dict[str, set[str]]:
    """The tradewire-* distributions `package[extras]` declares, as {short name: extras it asks for}."""
    project = _pyproject(package)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in extras:
        requirements += project.get("optional-dependencies", {})[extra]
    return _split(requirements)[0]


def _test_group(package: str) -> tuple[dict[str, set[str]], list[str]]:
    """A package's own `[dependency-groups] test` (PEP 735): what its tests need beyond the package.

    This is the declared way for a package's tests to use, e.g., tradewire-testkit.
    """
    group = _pyproject(package).get("dependency-groups", {}).get("test", [])
    return _split([item for item in group if isinstance(item, str)])


def local_install_args(targets: dict[str, tuple[str, ...]]) -> list[str]:
    """`./packages/x[extras]` for the targets and every internal dependency they declare, transitively.

    One install call must name them all: alone, a `tradewire-*` requirement would send the resolver
    to PyPI, where the names do not exist.
    """
    wanted: dict[str, set[str]] = {name: set(extras) for name, extras in targets.items()}
    todo = list(wanted)
    while todo:
        name = todo.pop()
        for dep, extras in _internal_requirements(name, tuple(sorted(wanted[name]))).items():
            if dep not in wanted or not extras <= wanted[dep]:
                wanted.setdefault(dep, set()).update(extras)
                todo.append(dep)
    return [
        f"./packages/{name}" + (f"[{','.join(sorted(extras))}]" if extras else "")
        for name, extras in sorted(wanted.items())
    ]


def _all_packages() -> dict[str, tuple[str, ...]]:
    return {name: TEST_EXTRAS.get(name, ()) for name in PACKAGES}


def _hand_written_src() -> list[str]:
    """src/ folders that hold Python code yet (packages still being written are skipped)."""
    return [
        f"packages/{name}/src"
        for name in PACKAGES
        if any(p for p in (ROOT / "packages" / name / "src").rglob("*.py") if "_generated" not in p.parts)
    ]


# --- sessions --------------------------------------------------------------------------------------


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate the bindings and the wire table from protocol/ (`nox -s codegen -- --check` compares)."""
    session.install("-r", CODEGEN_REQUIREMENTS)
    session.run("python", "scripts/codegen.py", *session.posargs)


@nox.session
def codegen_check(session: nox.Session) -> None:
    """Fail if the committed bindings differ from what the pinned generator makes of protocol/."""
    session.install("-r", CODEGEN_REQUIREMENTS)
    session.run("python", "scripts/codegen.py", "--check")


def _git(*args: str) -> str | None:
    """Output of a read-only git query, or None when git, the repository or the object is missing."""
    git = shutil.which("git")
    if git is None:
        return None
    # S603: the arguments are this file's constants, not outside input.
    result = subprocess.run([git, *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    return result.stdout.strip() if result.returncode == 0 else None


def _breaking_baseline() -> tuple[str, str] | None:
    """(git ref, description) to compare the schema with: the last release tag, else main."""
    tag = _git("describe", "--tags", "--abbrev=0", "--match", "v[0-9]*")
    if tag and _git("cat-file", "-e", f"{tag}:protocol") is not None:
        return f".git#tag={tag},subdir=protocol", f"release tag {tag}"
    if _git("cat-file", "-e", "main:protocol") is not None:
        return ".git#branch=main,subdir=protocol", "branch main"
    return None


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (check + format), buf lint + buf breaking on protocol/, import-linter, unasync --check.

    Every check runs even when an earlier one fails, so one CI run reports all of them.
    """
    session.install(RUFF, BUF, IMPORT_LINTER, *local_install_args(_all_packages()))
    failed: list[str] = []

    def check(title: str, *args: str) -> None:
        session.log(f"-- {title}: {' '.join(args)}")
        try:
            session.run(*args)
        except CommandFailed:
            failed.append(title)

    # Generated bindings are excluded in pyproject.toml; codegen_check covers them.
    check("ruff check", "ruff", "check", ".")
    check("ruff format", "ruff", "format", "--check", ".")
    # Rules, exceptions and the breaking-change rule set: protocol/buf.yaml.
    check("buf lint", "buf", "lint", "protocol")
    baseline = _breaking_baseline()
    if baseline is None:
        session.log("-- buf breaking: skipped, no release tag or main branch with protocol/ in git yet")
    else:
        against, what = baseline
        check(f"buf breaking against {what}", "buf", "breaking", "protocol", "--against", against)
    check("import-linter", "lint-imports", "--config", ".importlinter", "--no-cache")
    # The SDK's blocking modules are written from their asyncio sources; fail when one is stale.
    check("unasync", "python", "scripts/unasync.py", "--check")

    if failed:
        session.error("failed: " + ", ".join(failed))


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the hand-written src of every package (settings in pyproject.toml)."""
    # Editable, so mypy sees each module once: from src/, not also from site-packages.
    editable = [arg for path in local_install_args(_all_packages()) for arg in ("-e", path)]
    session.install(MYPY, *TEST_TOOLS, *editable)
    session.run("mypy", *_hand_written_src())


def _has_tests(package: str) -> bool:
    return any((ROOT / "packages" / package / "tests").rglob("test_*.py"))


@nox.session
@nox.parametrize("package", PACKAGES)
def tests(session: nox.Session, package: str) -> None:
    """One package alone: a fresh venv with it, its declared deps and test tools, then pytest.

    Installed: the package (with the extras in TEST_EXTRAS, and its `test` extra if it has one), the
    tradewire-* packages it declares, its `[dependency-groups] test` if it has one, pytest,
    pytest-asyncio and hypothesis. Nothing else.
    """
    if not _has_tests(package):
        session.error(f"packages/{package}/tests has no test_*.py: every package must ship tests")
    extras = TEST_EXTRAS.get(package, ())
    if "test" in _pyproject(package)["project"].get("optional-dependencies", {}):
        extras = (*extras, "test")
    targets = {package: extras}
    group_internal, group_external = _test_group(package)
    for name, extras in group_internal.items():
        targets[name] = tuple(sorted({*targets.get(name, ()), *extras}))
    args = local_install_args(targets) + group_external
    if package == "protocol":
        # tests/test_codegen_check.py runs the pinned generator itself.
        args += ["-r", CODEGEN_REQUIREMENTS]
    # Not editable: the tests import the built wheel, which proves the package ships what it needs.
    session.install(*args, *TEST_TOOLS)
    # Exit 5 (nothing collected) counts as a failure, like any other non-zero exit.
    session.run("pytest", f"packages/{package}/tests", *session.posargs, success_codes=[0])


@nox.session
@nox.parametrize("target", list(CONFORMANCE_TARGETS))
def conformance(session: nox.Session, target: str) -> None:
    """The testkit's conformance scenarios against one offline venue (engine, gateway + backtest, mock,
    gateway + the Alpaca adapter on the fake Alpaca)."""
    if not CONFORMANCE_DIR.is_dir():
        session.error(
            "the conformance suite (packages/testkit/src/tradewire/testkit/conformance) does not exist yet"
        )
    declared = _pyproject("testkit")["project"].get("optional-dependencies", {})
    extras = tuple(e for e in CONFORMANCE_TARGETS[target] if e in declared)
    # Only the testkit and what it declares for this target: proves a venue implementer's install works.
    session.install(*local_install_args({"testkit": extras}), *TEST_TOOLS)
    session.run(
        "pytest",
        "--pyargs",
        "tradewire.testkit.conformance",
        "--target",
        target,
        *session.posargs,
        success_codes=[0],
    )


@nox.session
def schemathesis(session: nox.Session) -> None:
    """Schemathesis, every check and every phase (stateful included), against a live mock gateway.

    packages/gateway/tests/schemathesis_live/run.py starts the gateway on a free loopback port and runs
    `schemathesis run` on its OpenAPI document (bounded: 30 examples per operation, seed 1; about a
    minute). Any failure or warning fails. Arguments after `--` go to `schemathesis run`, e.g.
    `nox -s schemathesis -- --seed 7 --max-examples 200`.
    """
    session.install(*local_install_args({"gateway": ()}), SCHEMATHESIS)
    session.run("python", "packages/gateway/tests/schemathesis_live/run.py", *session.posargs)


@nox.session(default=False)
def soak(session: nox.Session) -> None:
    """Opt-in soak and chaos against a mock gateway on loopback (about a minute), invariants checked.

    packages/gateway/tests/soak/run.py: 50 clients trade for 30 s beside slow readers, garbage frames
    and header floods, then SIGTERM; `nox -s soak -- --clients 20 --seconds 10` for a shorter run.
    """
    session.install(*local_install_args({"gateway": ()}), "httpx>=0.27", "websockets>=13")
    session.run("python", "packages/gateway/tests/soak/run.py", *session.posargs)


#: Generated strategies `nox -s differential` checks (CI's tests session runs a bounded, derandomized few).
DIFFERENTIAL_EXAMPLES = "300"


@nox.session
def ray(session: nox.Session) -> None:
    """The sweep's optional backends: Ray in local mode (`ray.init(num_cpus=2)`, one per test module)
    and Optuna's TPE, against local processes (identical tables). Run by CI like `tests`."""
    targets: dict[str, tuple[str, ...]] = {"sdk": ("backtest", "sweep", "ray", "tpe")}
    group_internal, group_external = _test_group("sdk")  # the SDK's conftest needs the testkit
    for name, extras in group_internal.items():
        targets[name] = tuple(sorted({*targets.get(name, ()), *extras}))
    session.install(*local_install_args(targets), *group_external, *TEST_TOOLS)
    session.run(
        "pytest",
        "packages/sdk/tests/test_sweep_ray.py",
        "packages/sdk/tests/test_sweep_tpe.py",
        *session.posargs,
        success_codes=[0],
    )


@nox.session(default=False)
def differential(session: nox.Session) -> None:
    """The differential harness at length: examples and generated strategies, in-process against the wire.

    `nox -s differential` checks DIFFERENTIAL_EXAMPLES generated strategies (fresh ones each run, no
    fixed seed); `nox -s differential -- 1000 -x` checks 1000 and passes `-x` on to pytest.
    """
    args = list(session.posargs)
    examples = args.pop(0) if args and args[0].isdigit() else DIFFERENTIAL_EXAMPLES
    tests = sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "packages/testkit/tests").glob("test_differential_*.py")
    )
    session.install(*local_install_args({"testkit": ("differential",)}), *TEST_TOOLS)
    session.run(
        "pytest",
        *tests,
        *args,
        env={"TRADEWIRE_DIFFERENTIAL_EXAMPLES": examples},
        success_codes=[0],
    )


#: What `nox -s bench` runs, in order: (script, arguments). Sizes keep the whole set to a few minutes;
#: each script's docstring gives the larger runs behind the figures in the READMEs.
BENCH_RUNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("benchmarks/bench_codec.py", ()),
    ("benchmarks/peers/bench_engine.py", ()),
    ("benchmarks/peers/bench_tradewire.py", ()),
    # issue 14: the same Strategy in-process on 100 symbols per instant
    ("benchmarks/peers/bench_tradewire.py", ("--bars", "2000", "--symbols", "100")),
    # issue 17: the bare-stack floor of the chosen server stack and stream client (and of the
    # pure-`websockets` fallback client), then the full app over the same pair beside it:
    # batched framing (target >= 10,000 acked instants/s), the fallback client, per-event framing
    # (target >= 8,000 events/s acked one by one)
    ("benchmarks/gateway/bench_stack_floor.py", ()),
    # issue 7: the same Strategy over the wire, one symbol, then 100 symbols per instant
    ("benchmarks/peers/bench_tradewire.py", ("--bars", "20000", "--mode", "wire")),
    (
        "benchmarks/peers/bench_tradewire.py",
        ("--bars", "20000", "--mode", "wire", "--stream-client", "websockets"),
    ),
    ("benchmarks/peers/bench_tradewire.py", ("--bars", "20000", "--mode", "wire", "--framing", "single")),
    ("benchmarks/peers/bench_tradewire.py", ("--bars", "2000", "--symbols", "100", "--mode", "wire")),
    ("benchmarks/sdk/bench_client_step.py", ()),
    # issue 15: the HTML report's build time, file size and chromium draw time (2 M bars in the README)
    ("benchmarks/engine/bench_report.py", ("--bars", "200000", "--candidates", "plotly")),
    # issue 6: REST round trip, WS stream rate, idle clients, gateway CPU per backtest step
    ("benchmarks/gateway/bench_rest.py", ()),
    ("benchmarks/gateway/bench_submit_clients.py", ()),
    ("benchmarks/gateway/bench_ws_stream.py", ()),
    ("benchmarks/gateway/bench_idle_clients.py", ()),
    ("benchmarks/gateway/bench_backtest_step.py", ()),
    # issue 20: a 64-trial grid on 1 M bars, local 1 and 2 workers and Ray (num_cpus=2, when
    # installed); then 10k bars, where dispatch overhead and the batch size show. One round each
    # (about 8 minutes); the README's figures are medians of `--repeats 3` on an idle machine
    ("benchmarks/sweep/bench_sweep.py", ("--ray",)),
    (
        "benchmarks/sweep/bench_sweep.py",
        ("--bars", "10000", "--workers", "1,2", "--batch-size", "1,8,64", "--ray"),
    ),
)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Opt-in benchmarks: codec, the peer backtest in-process and over the wire, SDK and gateway.

    `nox -s bench` runs BENCH_RUNS (a few minutes); `nox -s bench -- SCRIPT.py ARGS...` runs one
    script with its own arguments, e.g. `nox -s bench -- benchmarks/peers/bench_tradewire.py --bars 100000`.
    """
    if session.posargs and session.posargs[0].endswith(".py"):
        runs = [(session.posargs[0], list(session.posargs[1:]))]
    elif session.posargs:
        session.error("usage: nox -s bench [-- SCRIPT.py [ARGS...]]")
    else:
        runs = [(script, list(args)) for script, args in BENCH_RUNS]
    missing = sorted({script for script, _ in runs if not (ROOT / script).is_file()})
    if missing:
        session.error("no such benchmark script: " + ", ".join(missing))
    session.install(*local_install_args(_all_packages()))
    for script, args in runs:
        session.log(f"bench: {script} {' '.join(args)}")
        session.run("python", script, *args)


# `nox` with no -s runs exactly this: what CI runs.
nox.options.sessions = ["codegen_check", "lint", "typecheck", "tests", "ray", "schemathesis"]
if CONFORMANCE_DIR.is_dir():
    nox.options.sessions.append("conformance")
