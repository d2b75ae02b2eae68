"""A bench Synapse on PostgreSQL, as a deployment runs it: a cluster kept in the bench's data
folder (so rooms built once serve later runs), psycopg2 added to Synapse's venv on first use.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dev.synapse import free_port  # noqa: E402
from bot.dev.synapse_config import CONFIG_FILE, write_homeserver_config  # noqa: E402
from tests.support.postgres import PostgresCluster, _as_postgres, _pg_tool  # noqa: E402

DATABASE = "synapse"
QUIET = {
    "user_directory": {"enabled": False},
    "stats": {"enabled": False},
    "presence": {"enabled": False},
}
"""Work Synapse does for every join that no bot needs (building thousands of rooms took
0.75 rooms/s with them)."""


def ensure_psycopg2(venv_dir: Path) -> None:
    """Synapse talks to PostgreSQL through psycopg2, which its default install lacks."""
    python = str(venv_dir / "bin" / "python")
    if subprocess.run([python, "-c", "import psycopg2"], capture_output=True).returncode == 0:
        return
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "psycopg2-binary"], check=True)


class KeptCluster(PostgresCluster):
    """A cluster under `root` that outlives the run: started again if it exists."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.port_file = root / "port"
        if self.port_file.exists():
            self.port = int(self.port_file.read_text())

    def up(self) -> None:
        if not self.data.exists():
            self.start()
            self._create_database()
        else:
            running = subprocess.run(
                _as_postgres([_pg_tool("pg_ctl"), "-D", str(self.data), "status"]),
                capture_output=True,
            )
            if running.returncode != 0:
                self.port = free_port()
                self.restart()
        self.port_file.write_text(str(self.port))

    def _create_database(self) -> None:
        """Synapse wants C collation, which needs template0."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(
                f"CREATE DATABASE {DATABASE} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' "
                "TEMPLATE template0"
            )


def point_synapse_at(synapse_dir: Path, cluster: KeptCluster) -> None:
    """Write (or keep) the bench Synapse's config, its database set to the cluster."""
    config = write_homeserver_config(synapse_dir, free_port())
    settings = json.loads(config.config_path.read_text())
    settings["database"] = {
        "name": "psycopg2",
        "args": {
            "user": "postgres",
            "host": "127.0.0.1",
            "port": cluster.port,
            "database": DATABASE,
            "cp_min": 5,
            "cp_max": 10,
        },
    }
    settings.update(QUIET)
    (synapse_dir / CONFIG_FILE).write_text(json.dumps(settings, indent=2))
