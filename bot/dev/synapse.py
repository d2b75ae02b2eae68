"""Run a throw-away or local-dev Synapse homeserver: its process and its users.

Used by the bot's dev mode and by the integration-test fixtures. The venv and
config helpers of `bot.dev.synapse_config` are re-exported, so this is the one import.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import select
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.dev.synapse_config import HOMESERVER_MODULE, ensure_signing_key
from bot.dev.synapse_config import DevServerError as DevServerError
from bot.dev.synapse_config import HomeserverConfig as HomeserverConfig
from bot.dev.synapse_config import default_synapse_venv as default_synapse_venv
from bot.dev.synapse_config import ensure_synapse_venv as ensure_synapse_venv
from bot.dev.synapse_config import read_homeserver_config as read_homeserver_config
from bot.dev.synapse_config import write_homeserver_config as write_homeserver_config

PID_FILE = "synapse.pid"
CONSOLE_LOG_FILE = "synapse-console.log"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SynapseProcess:
    """A Synapse server for one data directory: started here, or left by an earlier run."""

    def __init__(self, config: HomeserverConfig) -> None:
        self.config = config
        self.ready_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self._launched_at = time.monotonic()

    @classmethod
    def find_running(cls, config: HomeserverConfig) -> SynapseProcess | None:
        """Attach to the server a previous run started for `config`, if it is still alive."""
        try:
            pid = int((config.data_dir / PID_FILE).read_text().strip())
        except (OSError, ValueError):
            return None
        if not _is_synapse_for(pid, config.config_path):
            return None
        server = cls(config)
        server._pid = pid
        return server

    @property
    def pid(self) -> int | None:
        """The server's process id (also its process group id), once started or found."""
        return self._pid

    @property
    def pid_file(self) -> Path:
        """Where the pid is kept so a later run can find or stop this server."""
        return self.config.data_dir / PID_FILE

    @property
    def console_log_path(self) -> Path:
        """Synapse's stdout and stderr (start-up errors land here)."""
        return self.config.data_dir / CONSOLE_LOG_FILE

    def is_running(self) -> bool:
        """Whether the server process is alive."""
        if self._proc is not None:
            return self._proc.poll() is None
        return self._pid is not None and _is_synapse_for(self._pid, self.config.config_path)

    def start(self, python: Path) -> None:
        """Launch Synapse with `python` in its own process group and record its pid."""
        if self.is_running():
            raise DevServerError(f"Synapse is already running (pid {self._pid})")
        previous = SynapseProcess.find_running(self.config)
        if previous is not None:
            raise DevServerError(
                f"a Synapse for {self.config.data_dir} is already running (pid {previous.pid})"
            )
        ensure_signing_key(python, self.config)
        command = [str(python), "-m", HOMESERVER_MODULE, "-c", str(self.config.config_path)]
        with self.console_log_path.open("wb") as console:
            self._proc = subprocess.Popen(
                command,
                cwd=self.config.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._pid = self._proc.pid
        self._launched_at = time.monotonic()
        self.pid_file.write_text(f"{self._pid}\n")

    async def wait_ready(self, timeout: float = 60.0) -> float:
        """Poll `/_matrix/client/versions` until Synapse answers; return seconds since launch."""
        url = f"{self.config.base_url}/_matrix/client/versions"
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while True:
                if not self.is_running():
                    raise DevServerError(f"Synapse exited during start-up:\n{self.log_tail()}")
                if await _answers(session, url):
                    self.ready_seconds = time.monotonic() - self._launched_at
                    return self.ready_seconds
                if time.monotonic() > deadline:
                    raise DevServerError(f"Synapse not ready after {timeout}s:\n{self.log_tail()}")
                await asyncio.sleep(0.1)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the server's process group, SIGKILL it after `timeout`, and wait for it."""
        if self._pid is None:
            return
        if self.is_running():
            _signal_group(self._pid, signal.SIGTERM)
            if not self._wait_exit(timeout):
                _signal_group(self._pid, signal.SIGKILL)
                self._wait_exit(timeout)
        elif self._proc is not None:
            self._proc.wait()
        self.pid_file.unlink(missing_ok=True)

    def log_tail(self, lines: int = 40) -> str:
        """The last `lines` of the console log and of Synapse's own log."""
        parts = []
        for path in (self.console_log_path, self.config.log_path):
            if path.exists():
                tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path} ---\n" + "\n".join(tail))
        return "\n".join(parts) or "(no log output)"

    def _wait_exit(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the process to end; whether it did."""
        if self._proc is not None:
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        pid = self.pid
        if pid is None or not self.is_running():
            return True
        try:
            handle = os.pidfd_open(pid)
        except OSError:
            return not self.is_running()
        try:
            ready, _, _ = select.select([handle], [], [], timeout)
        finally:
            os.close(handle)
        return bool(ready) or not self.is_running()


async def _answers(session: aiohttp.ClientSession, url: str) -> bool:
    """Whether `url` answers 200 right now."""
    try:
        async with session.get(url) as resp:
            return resp.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


def _is_synapse_for(pid: int, config_path: Path) -> bool:
    """Whether `pid` is alive and is a Synapse running `config_path` (pid reuse guard)."""
    if not Path("/proc/self").exists():
        return _pid_alive(pid)
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return False
    return HOMESERVER_MODULE in args and str(config_path) in args


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (where /proc is not available)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group `pid` leads, or just `pid` if it leads none."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


async def launch_homeserver(
    data_dir: Path,
    venv_dir: Path,
    server_name: str = "localhost",
    reuse_running: bool = True,
    limits: dict[str, Any] | None = None,
) -> SynapseProcess:
    """Write or reuse the config in `data_dir`, start Synapse (or adopt a running one), wait.
    Rate limits are raised, except the `rc_*` settings in `limits` (of a new config)."""
    python = await asyncio.to_thread(ensure_synapse_venv, venv_dir)
    config = write_homeserver_config(data_dir, free_port(), server_name, limits)
    running = SynapseProcess.find_running(config)
    if running is not None:
        if reuse_running:
            await running.wait_ready()
            return running
        await asyncio.to_thread(running.stop)
    server = SynapseProcess(config)
    await asyncio.to_thread(server.start, python)
    try:
        await server.wait_ready()
    except BaseException:
        await asyncio.to_thread(server.stop)
        raise
    return server


def registration_mac(
    shared_secret: str, nonce: str, localpart: str, password: str, admin: bool
) -> str:
    """HMAC-SHA1 over nonce, user, password and admin flag, as the admin register API wants."""
    mac = hmac.new(shared_secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, localpart, password):
        mac.update(part.encode() + b"\x00")
    mac.update(b"admin" if admin else b"notadmin")
    return mac.hexdigest()


async def register_user(
    base_url: str,
    shared_secret: str,
    localpart: str,
    password: str,
    admin: bool = False,
    displayname: str | None = None,
) -> str:
    """Create a user with the shared-secret admin API; return its id, even if it existed."""
    url = f"{base_url}/_synapse/admin/v1/register"
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            nonce = str((await _json_or_raise(resp, "fetching a registration nonce"))["nonce"])
        body: dict[str, Any] = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": registration_mac(shared_secret, nonce, localpart, password, admin),
        }
        if displayname is not None:
            body["displayname"] = displayname
        async with session.post(url, json=body) as resp:
            data = await _json(resp)
            if resp.status == 200:
                return str(data["user_id"])
        if data.get("errcode") != "M_USER_IN_USE":
            raise DevServerError(f"registering {localpart}: HTTP {resp.status} {data}")
        return await _existing_user_id(session, base_url, localpart, password)


async def login(base_url: str, user_id: str, password: str) -> tuple[str, str]:
    """Log in with a password; return (access token, device id). Each call is a new device."""
    async with aiohttp.ClientSession() as session:
        data = await _password_login(session, base_url, user_id, password)
    return str(data["access_token"]), str(data["device_id"])


async def _existing_user_id(
    session: aiohttp.ClientSession, base_url: str, localpart: str, password: str
) -> str:
    """The id of an existing user, learnt by logging in (and out again, dropping the device)."""
    data = await _password_login(session, base_url, localpart, password)
    headers = {"Authorization": f"Bearer {data['access_token']}"}
    async with session.post(f"{base_url}/_matrix/client/v3/logout", headers=headers) as resp:
        await _json_or_raise(resp, "logging out")
    return str(data["user_id"])


async def _password_login(
    session: aiohttp.ClientSession, base_url: str, user: str, password: str
) -> dict[str, Any]:
    """POST /login with `m.login.password`; `user` is a full id or a localpart."""
    body = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": password,
    }
    async with session.post(f"{base_url}/_matrix/client/v3/login", json=body) as resp:
        return await _json_or_raise(resp, f"logging in as {user}")


async def _json(resp: aiohttp.ClientResponse) -> dict[str, Any]:
    """The response body as a JSON object, or `{"error": <text>}` if it is not one."""
    try:
        data = await resp.json(content_type=None)
    except ValueError:
        data = None
    return data if isinstance(data, dict) else {"error": await resp.text()}


async def _json_or_raise(resp: aiohttp.ClientResponse, what: str) -> dict[str, Any]:
    """The JSON body of a 200 response; anything else raises `DevServerError`."""
    data = await _json(resp)
    if resp.status != 200:
        raise DevServerError(f"{what}: HTTP {resp.status} {data}")
    return data
