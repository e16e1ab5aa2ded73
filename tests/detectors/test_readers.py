"""The config readers as Ruby objects (ruby-subset.md §9.11, detectors.md
§7), their paths taken under the detector root, and the greylist parser's
logical lines."""

import pytest

from milter_manager.config.detectors.readers import logical_lines

from .support import build_root, load_stock, milters, script


def report(stock, tmp_path, files, ruby):
    root = build_root(tmp_path / "root", files)
    config, _ = load_stock(stock, root, tmp_path, f"""
        result = begin
          {ruby}
        end
        define_milter("report") {{ |m| m.description = result.inspect }}
        """)
    return milters(config)["report"].description


@pytest.mark.parametrize("stock", ["upstream", "own"])
def test_clamav_and_opendkim_parsers(stock, tmp_path):
    files = {"/etc/clamav/clamav-milter.conf": "MilterSocket inet:7357@localhost\nExample\n",
             "/etc/opendkim.conf": "Socket local:/run/o.sock\n"}
    assert report(stock, tmp_path, files, """
          clamav = ClamAVMilterConfigParser.new
          clamav.parse("/etc/clamav/clamav-milter.conf")
          missing = ClamAVMilterConfigParser.new
          missing.parse("/etc/clamav/none.conf")
          dkim = OpenDKIMConfigParser.new
          dkim.parse("/etc/opendkim.conf")
          [clamav.milter_socket, clamav.example?, missing.milter_socket, missing.example?,
           dkim.socket]
        """) == '["inet:7357@localhost", true, nil, false, "local:/run/o.sock"]'


@pytest.mark.parametrize("stock", ["upstream", "own"])
def test_greylist_parser_applies_its_tarpit(stock, tmp_path):
    root = build_root(tmp_path / "root", {
        "/etc/mg.conf": 'socket "/run/mg.sock"\nracl whitelist default tarpit 2m\n'})
    config, _ = load_stock(stock, root, tmp_path, """
        parser = MilterGreylistConfigParser.new
        parser.parse("/etc/mg.conf")
        define_milter("greylist") do |milter|
          milter.description = [parser.socket, parser.max_tarpit_time].inspect
          parser.apply(milter)
        end
        """)
    egg = milters(config)["greylist"]
    assert egg.description == '["/run/mg.sock", 120]'
    assert (egg.writing_timeout, egg.reading_timeout) == (127.0, 127.0)


@pytest.mark.parametrize("stock", ["upstream", "own"])
def test_rspamd_proxy_detector(stock, tmp_path):
    files = {
        "/opt/rspamadm": script("#!/bin/sh\necho '{\"worker\": {\"rspamd_proxy\": "
                                "{\"bind_socket\": \"*v6:11332\", \"milter\": true}}}'\n"),
        "/usr/bin/rspamadm": script("#!/bin/sh\nexit 1\n")}
    assert report(stock, tmp_path, files, """
          [RspamdProxyDetector.new("/opt/rspamadm").detect,
           RspamdProxyDetector.new("/opt/missing").detect,
           RspamdProxyDetector.new.detect]
        """) == '["inet6:11332@[::1]", nil, nil]'


def test_logical_lines():
    text = ("a \\\n  b\\\n# comment ends it\nc\\\n\nd\n  # x\ne \\")
    assert logical_lines(text) == ["a   b", "c ", "d", "e"]
