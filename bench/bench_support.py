# SPDX-License-Identifier: Apache-2.0
# Shared by the benchmark scripts: starting a Sluice server on a free loopback port with its own
# data folder under the run's work folder.
import re
import subprocess
import tempfile
import threading
from pathlib import Path


def start_sluice(binary, workdir):
    """Starts `sluice serve` on 127.0.0.1:0; returns (process, port) once it prints its listen
    line. Its stderr goes to workdir/sluice.stderr; stdout is drained in the background."""
    data = Path(tempfile.mkdtemp(prefix="sluice-data-", dir=workdir))
    proc = subprocess.Popen([str(binary), "serve", "--listen", "127.0.0.1:0", "--data", str(data)],
                            stdout=subprocess.PIPE, stderr=open(workdir / "sluice.stderr", "wb"))
    line = proc.stdout.readline().decode()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"sluice did not print its listen line: {line!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, int(m.group(1))
