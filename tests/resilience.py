"""Servers that tests of failures stop and start again (tests/test_resilience_*
and tests/deploy/test_resilience_*): a Redis on a fixed port, a PostgreSQL
cluster of its own."""

import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.services import Processes, require, wait_for_port


class RedisServer:
    """A throwaway Redis that keeps its port across stops and starts."""

    def __init__(self, processes: Processes, port: int):
        self.processes = processes
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        program = require("redis-server")
        args = [program, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no"]
        self.process = self.processes.start("redis", args)
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        """Stopped: its data is gone, as after a crash or a restart."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def freeze(self) -> None:
        """Unreachable but alive (a network partition): it keeps its data."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a folder of its own, on a free
    loopback port, that a test may stop and start (the shared one serves
    everybody else's tests). PostgreSQL refuses to run as root: as root the
    cluster belongs to the ``postgres`` user and its commands run as them."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.port = port
        self.data = folder / "data"
        self.url = f"postgres://careerhub@127.0.0.1:{port}/careerhub"

    @staticmethod
    def as_owner() -> list[str]:
        if os.geteuid() != 0:
            return []
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: initdb refuses root")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root with no postgres user: initdb refuses root")
        return ["runuser", "-u", "postgres", "--"]

    def run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_owner(), *args], check=True, capture_output=True, timeout=120
        )

    def create(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL's server programs are not in {PG_BIN}")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "careerhub",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        self.run(
            str(PG_BIN / "psql"),
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "careerhub"),
            *("-d", "postgres", "-qc", "CREATE DATABASE careerhub"),
        )

    def pg_ctl(self, *args: str) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", *args)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self.pg_ctl("-o", options, "-l", str(self.folder / "postgres.log"), "start")

    def stop(self) -> None:
        """As an operator's restart does: clients are disconnected at once."""
        self.pg_ctl("-m", "fast", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
