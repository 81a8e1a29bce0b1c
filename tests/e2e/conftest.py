# SPDX-License-Identifier: Apache-2.0
# pytest fixtures for the end-to-end suites: a server per module (`server`) or per test
# (`make_server`), each on its own port and temporary data folder, stopped with SIGTERM at the end
# (which must exit with code 0). The process handling itself lives in support.py.
import tempfile
from pathlib import Path

import pytest

from support import SluiceServer


@pytest.fixture
def make_server(tmp_path_factory):
    """Factory: make_server(extra_args=()) starts a server on its own fresh data folder. Each one
    is stopped with SIGTERM at the end of the test, which must exit with code 0. Data and server
    stderr stay under pytest's basetemp for a look after a failure."""
    servers = []

    def make(extra_args=()):
        root = Path(tempfile.mkdtemp(prefix="sluice-e2e-", dir=tmp_path_factory.getbasetemp()))
        (root / "data").mkdir()
        s = SluiceServer(root / "data", root, extra_args).start()
        servers.append(s)
        return s

    yield make
    failures = []
    for s in servers:
        code = s.terminate()
        if code not in (0, None):
            failures.append(f"server pid {s.pid} exited with {code} on SIGTERM: "
                            f"{s.stderr_text()[-2000:]}")
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server shared by a whole test module (tests use their own stream names)."""
    root = tmp_path_factory.mktemp("sluice-module")
    (root / "data").mkdir()
    s = SluiceServer(root / "data", root).start()
    yield s
    code = s.terminate()
    assert code == 0, f"server exited with {code} on SIGTERM: {s.stderr_text()[-2000:]}"
