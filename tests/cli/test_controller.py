"""The controller socket (cli.md §12): framing, every command and every
decode error, real status counters."""

from __future__ import annotations

import re
import stat
import struct

from .support import connect, control, free_port, ruby_config, session, start_daemon


def start(procs, workdir, milters, *args, user="root"):
    controller = f"inet:{free_port()}@127.0.0.1"
    config = ruby_config(milters, extra=f'controller.connection_spec = "{controller}"')
    daemon = start_daemon(procs, workdir, config, *args, user=user)
    return daemon, controller


def element(body: bytes, path: str) -> str:
    match = re.search(f"<{path}>([^<]*)</{path}>", body.decode())
    assert match, (path, body)
    return match.group(1)


def test_get_status_counts_sessions_and_children(procs, workdir):
    a, b = procs.milter("a"), procs.milter("b")
    daemon, controller = start(procs, workdir, [("a", a.spec), ("b", b.spec)])
    for _ in range(3):
        assert session(daemon.spec) == (b"c", ["a", "b"])
    name, body = control(controller, "get-status")
    for _ in range(100):                    # the counters move when the loop is idle
        if element(body, "processed") == "3":
            break
        name, body = control(controller, "get-status")
    assert name == "status"
    text = body.decode()
    assert text.startswith("<status>\n  <version>2.3.2</version>\n")
    assert element(body, "pid") == str(daemon.pid)
    assert element(body, "processing") == "0" and element(body, "processed") == "3"
    assert "<last-reload>none</last-reload>" in text
    assert "<result><status>pass</status><count>3</count></result>" in text
    milters = re.findall(r"<name>(\w+)</name>\n.*\n.*<connection-spec>(.*)</connection-spec>\n"
                         r"\s*<sessions>(\d+)</sessions>\n\s*<errors>(\d+)</errors>", text)
    assert milters == [("a", a.spec, "3", "0"), ("b", b.spec, "3", "0")]
    assert "<workers>" not in text


def test_reload_and_its_error(procs, workdir):
    a, b = procs.milter("a"), procs.milter("b")
    daemon, controller = start(procs, workdir, [("a", a.spec)])
    extra = f'controller.connection_spec = "{controller}"'
    daemon.config_file.write_text(ruby_config([("a", a.spec), ("b", b.spec)], extra=extra))
    assert control(controller, "reload") == ("success", b"")
    assert session(daemon.spec) == (b"c", ["a", "b"])
    daemon.config_file.write_text(ruby_config([("a", a.spec)], extra=extra)
                                  + "manager.chunk_size = 0\n")
    name, body = control(controller, "reload")
    assert name == "error"
    assert body.decode().startswith(f"{daemon.config_file}:6: manager.chunk_size should be")
    assert session(daemon.spec) == (b"c", ["a", "b"])          # the old one stays
    status = control(controller, "get-status")[1].decode()
    assert "<last-reload>error</last-reload>" in status
    assert f"<last-reload-error>{daemon.config_file}:6: " in status


def test_set_and_get_configuration(procs, workdir):
    a, b = procs.milter("a"), procs.milter("b")
    daemon, controller = start(procs, workdir, [("a", a.spec)])
    xml = (b"<configuration>\n  <milters>\n    <milter>\n      <name>b</name>\n"
           b"      <connection-spec>" + b.spec.encode() + b"</connection-spec>\n"
           b"    </milter>\n  </milters>\n</configuration>\n")
    assert control(controller, "set-configuration", xml) == ("success", b"")
    custom = daemon.config_file.parent / "milter-manager.custom.conf"
    assert custom.read_bytes() == xml
    assert stat.S_IMODE(custom.stat().st_mode) == 0o644
    # Not loaded before the next reload (as upstream).
    name, body = control(controller, "get-configuration")
    assert name == "configuration" and b"<name>b</name>" not in body
    assert control(controller, "reload") == ("success", b"")
    name, body = control(controller, "get-configuration")
    assert body.startswith(b"<configuration>\n  <last-modified>")
    assert b"      <name>a</name>\n" in body and b"      <name>b</name>\n" in body
    assert session(daemon.spec) == (b"c", ["a", "b"])


def test_set_configuration_without_a_writable_directory(procs, workdir):
    daemon, controller = start(procs, workdir, [], user="nobody")
    config_dir = daemon.config_file.parent
    name, body = control(controller, "set-configuration", b"<configuration/>")
    assert name == "error"
    assert body.decode() == (
        "failed to save custom configuration file: can't find writable custom configuration "
        f'file in ["{config_dir}/milter-manager.custom.conf"(Permission denied), '
        '"/etc/milter-manager/milter-manager.custom.conf"(No such file or directory)]')
    assert "[controller][error][save] failed to save custom configuration file" in \
        daemon.log_text()


def test_decode_errors_are_answered_and_the_connection_stays(procs, workdir):
    _daemon, controller = start(procs, workdir, [])
    sock = connect(controller)
    assert control(controller, "get-status", b"x", sock=sock) == (
        "error", b"needless 1 byte was received on get-status command: 0x78 (x)")
    assert control(controller, "reload", b"abc", sock=sock) == (
        "error", b"needless 3 bytes were received on reload command: 0x61 0x62 0x63 (abc)")
    assert control(controller, "get-configuration", b"\x01\x02", sock=sock) == (
        "error", b"needless 2 bytes were received on get-configuration command: 0x01 0x02")
    assert control(controller, "stop-child", sock=sock) == (
        "error", b"unexpected command was received: <stop-child>")
    assert control(controller, "", sock=sock) == ("error", b"unexpected command was received: <>")
    sock.sendall(struct.pack(">I", 3) + b"abc")
    (length,) = struct.unpack(">I", sock.recv(4))
    assert sock.recv(length) == b"error\0control command isn't terminated by NULL: <abc>"
    assert control(controller, "reload", sock=sock) == ("success", b"")
    sock.close()


def test_too_large_a_request_closes_the_connection(procs, workdir):
    _daemon, controller = start(procs, workdir, [])
    sock = connect(controller)
    sock.sendall(struct.pack(">I", 16 * 1024 * 1024 + 1))
    (length,) = struct.unpack(">I", sock.recv(4))
    assert sock.recv(length) == b"error\0packet too large: <16777217>"
    assert sock.recv(1) == b""
    sock.close()


def test_unix_controller_socket_is_removed_at_exit(procs, workdir):
    import signal
    path = workdir / "run" / "control.sock"
    config = ruby_config(extra=f'controller.connection_spec = "unix:{path}"\n'
                               "controller.unix_socket_mode = 0600")
    daemon = start_daemon(procs, workdir, config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert control(f"unix:{path}", "reload") == ("success", b"")
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    assert not path.exists()

