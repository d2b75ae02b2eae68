"""An independent Matrix client for integration tests: matrix-js-sdk with its Rust crypto
(the stack Element Web runs) in Node, one process per user, driven over stdin/stdout.

Its npm packages are installed on first use with `npm ci` from the committed lock file
into tests/integration/jsclient/node_modules (ignored by git), so a fresh machine needs only
Node and npm."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

JSCLIENT = Path(__file__).resolve().parents[1] / "integration" / "jsclient"
SCRIPT = JSCLIENT / "client.mjs"
PREFIX = "@@ "


def install_jsclient() -> Path:
    """Install matrix-js-sdk (pinned by package-lock.json) unless it is there already."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise RuntimeError("the matrix-js-sdk tests need Node.js 20+ and npm on PATH")
    if not (JSCLIENT / "node_modules" / "matrix-js-sdk" / "package.json").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JSCLIENT,
            check=True,
            timeout=600,
        )
    return JSCLIENT


class JsClient:
    """One js-sdk user; each method is one command answered by the Node process."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    @classmethod
    async def start(cls, log: Path) -> JsClient:
        stderr = log.open("wb")
        process = await asyncio.create_subprocess_exec(
            "node",
            str(SCRIPT),
            cwd=JSCLIENT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            limit=2**22,
        )
        stderr.close()
        return cls(process, log)

    async def call(self, command: str, timeout: float = 90, **args: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write((json.dumps({"command": command, **args}) + "\n").encode())
        await self.process.stdin.drain()
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
            if not line:
                raise AssertionError(f"js client exited; see {self.log}")
            text = line.decode(errors="replace")
            if text.startswith(PREFIX):
                break
        answer = json.loads(text[len(PREFIX) :])
        if "error" in answer:
            raise AssertionError(f"js client {command} failed: {answer['error']} (log {self.log})")
        return dict(answer["ok"])

    async def close(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(AssertionError, TimeoutError, ConnectionError):
                await self.call("stop", timeout=10)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
