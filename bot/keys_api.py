"""The key endpoints nio has no calls for: raw `/keys/query`, cross-signing uploads,
signature uploads and account data, over nio's own HTTP session and access token."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from nio import AsyncClient

V3 = "/_matrix/client/v3"
MAX_RATE_LIMITED = 5
JsonObject = dict[str, Any]


class KeysApiError(RuntimeError):
    """The homeserver refused a key request; carries its status and error code."""

    def __init__(self, what: str, status: int, body: JsonObject) -> None:
        super().__init__(f"{what}: HTTP {status} {body.get('errcode', '')} {body.get('error', '')}")
        self.status = status
        self.body = body


class KeysApi:
    """JSON requests as the bot's account; `M_LIMIT_EXCEEDED` is waited out."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def call(self, method: str, path: str, body: JsonObject | None = None) -> tuple[int, Any]:
        headers = {
            "Authorization": f"Bearer {self.client.access_token}",
            "Content-Type": "application/json",
        }
        data = None if body is None else json.dumps(body)
        for _ in range(MAX_RATE_LIMITED):
            response = await self.client.send(method, V3 + path, data, headers=headers)
            try:
                parsed = await response.json(content_type=None)
            except (ValueError, UnicodeDecodeError):
                parsed = {}
            finally:
                response.release()
            if response.status != 429:
                return response.status, parsed if isinstance(parsed, dict) else {}
            wait = parsed.get("retry_after_ms", 1000) if isinstance(parsed, dict) else 1000
            await asyncio.sleep(min(float(wait) / 1000, 10.0))
        return 429, {"errcode": "M_LIMIT_EXCEEDED"}

    async def ok(self, what: str, method: str, path: str, body: JsonObject | None = None) -> Any:
        status, parsed = await self.call(method, path, body)
        if status != 200:
            raise KeysApiError(what, status, parsed)
        return parsed

    async def query(self, users: list[str]) -> JsonObject:
        """`/keys/query` as the server answers it: device keys with all their signatures,
        master and self-signing keys."""
        body = {"device_keys": {user: [] for user in users}}
        return dict(await self.ok("keys query", "POST", "/keys/query", body))

    async def account_data(self, kind: str) -> JsonObject | None:
        """The account data of `kind`, or None when there is none."""
        path = f"/user/{quote(self.client.user_id)}/account_data/{quote(kind)}"
        status, parsed = await self.call("GET", path)
        if status == 404:
            return None
        if status != 200:
            raise KeysApiError(f"account data {kind}", status, parsed)
        return dict(parsed)

    async def set_account_data(self, kind: str, content: JsonObject) -> None:
        path = f"/user/{quote(self.client.user_id)}/account_data/{quote(kind)}"
        await self.ok(f"account data {kind}", "PUT", path, content)

    async def backup_version(self) -> str | None:
        """The version of the account's server-side key backup, if it has one."""
        status, parsed = await self.call("GET", "/room_keys/version")
        return str(parsed.get("version")) if status == 200 and "version" in parsed else None
