"""Servers that tests of failures stop and start again (tests/test_resilience_*
and tests/deploy/test_resilience_*): a Redis on a fixed port, a PostgreSQL
cluster of its own."""

import os
import signal
import subprocess

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
