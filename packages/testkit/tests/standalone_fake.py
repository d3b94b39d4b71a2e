"""A fake run as its own process (`python -m ... --print-env`), stopped by Ctrl-C as a terminal sends it."""

from __future__ import annotations

import signal
import subprocess
import sys


def _default_sigint() -> None:
    """In the child, before exec: SIGINT as a terminal's foreground job has it. A shell that starts
    this test run in the background sets SIGINT to ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(module: str, *args: str) -> subprocess.Popen[str]:
    """`python -m module args...` with its output piped as text."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )


def ctrl_c(process: subprocess.Popen[str]) -> str:
    """Send Ctrl-C and wait for the process to end; its stderr. One that ignores it is killed here,
    so the failure is its own test's, not a leaked process in the next one's."""
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=15)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
