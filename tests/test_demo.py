"""README command (a): the demo starts the manager with the embedded default
configuration and two example children, and a session gets the merged result."""

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_check_shows_both_childrens_changes():
    spec = f"inet:{free_port()}@[127.0.0.1]"
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py"),
                             "--check", "-s", spec],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "status: pass" in lines
    # tools.md §1.6: additions are marked with "+ " in the message diff.
    assert "+ X-Demo-Milter: seen" in lines
    assert "+ RCPT TO:<audit@example.org>" in lines
