"""The pure-Ruby parts of the stock condition files, differentially against
real ruby (issue 3 acceptance): each harness defines a minimal stub of the
configuration DSL in Ruby, `load`s the unchanged upstream file and prints the
decisions; both interpreters must print the same."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONDITIONS = PROJECT_ROOT / ".." / "shared" / "upstream" / "data" / "applicable-conditions"
RUBY = shutil.which("ruby")

STUB = """
$conditions = {}
$milters = Hash.new { |h, k| h[k] = StubMilter.new(k) }
class StubCondition
  attr_accessor :description
  attr_reader :name
  def initialize(name)
    @name = name
    @stoppers = {}
  end
  %w[connect helo envelope_from envelope_recipient data header end_of_header body
     end_of_message].each do |stage|
    define_method("define_#{stage}_stopper") do |&block|
      (@stoppers[stage.to_sym] ||= []) << block
    end
  end
  def stop?(stage, *args)
    (@stoppers[stage] || []).any? { |stopper| stopper.call(*args) }
  end
end
class StubMilter
  attr_accessor :applicable_conditions
  def initialize(name)
    @name = name
    @applicable_conditions = []
  end
end
class StubContext
  def initialize
    @macros = {}
  end
  def [](name)
    @macros[name]
  end
  def []=(name, value)
    @macros[name] = value
  end
  def macros
    @macros
  end
end
class StubAddress
  def initialize(v4)
    @v4 = v4
  end
  def ipv4?
    @v4
  end
end
class StubConfiguration
  def initialize(dir)
    @dir = dir
  end
  def resolve_path(path)
    [File.join(@dir, path)]
  end
end
def define_applicable_condition(name)
  condition = StubCondition.new(name)
  yield(condition)
  $conditions[name] = condition
end
def define_milter(name)
  yield($milters[name])
end
def defined_milters
  ["milter-a", "milter-b"]
end
@configuration = StubConfiguration.new(ARGV[0])
"""

S25R_HOSTS = """
mail.example.com unknown [192.0.2.1] [2001:db8::1] mx.google.com mail-yw1-f171.google.com
out.slack.com o1.mg.gitlab.com a1-2.smtp-out.amazonses.com wrqvfp.sendgrid.net
p1234-ipad56.tokyo.ocn.ne.jp dhcp-123.example.net dialup42.isp.example ppp7.isp.example
adsl-1-2-3-4.example.net vdsl9.example.net xdsl-7.example.net dsl123.example.net
host12345.example.net 123.45.67.89.example.net bb1-2-3.example.com
l1-2.static.example.com ns1.example.org smtp.example.co.jp
KD123456789.ppp-bb.dion.ne.jp i121-114-1-2.s11.a014.ap.plala.or.jp
FL1-122-130-1-2.tky.mesh.ad.jp softbank126000001002.bbtec.net
mx01.example.com mx1.mail.example.com relay.example.org mail2.example.net
a.b.c.d.e.example.com 1.example.com 12.34.example.com 3com.example.com
x1y2z3.example.com pool-1-2-3-4.nycmny.fios.verizon.net c-1-2-3-4.hsd1.ma.comcast.net
cpe-1-2-3-4.nyc.res.rr.com 1-2-3-4.dyn.example.com node1.cluster.example.com
ec2-1-2-3-4.compute-1.amazonaws.com mail.example.museum MAIL.EXAMPLE.COM localhost
DHCP42.EXAMPLE.NET example 12345.example.net dyn-2.example-isp.net
"""


def run_pair(tmp_path: Path, harness: str, workdir: Path) -> tuple[str, str]:
    assert RUBY is not None, "Debian's ruby is the oracle: ./scripts/install-system-packages ruby"
    path = tmp_path / "harness.rb"
    path.write_text(STUB + harness, encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "PYTHONPATH": str(PROJECT_ROOT)}
    ruby = subprocess.run([RUBY, str(path), str(workdir)], check=False, capture_output=True, text=True,
                          env=env, timeout=120)
    ours = subprocess.run([sys.executable, "-m", "milter_manager.ruby", str(path), str(workdir)],
                          check=False, capture_output=True, text=True, env=env, timeout=120)
    assert ruby.returncode == 0, ruby.stderr
    assert ours.returncode == 0, ours.stderr
    return ruby.stdout, ours.stdout


def test_s25r_decisions_on_50_host_names(tmp_path: Path) -> None:
    hosts = S25R_HOSTS.split()
    assert len(hosts) == 50
    harness = f"""
load {str(CONDITIONS / "s25r.conf")!r}
condition = $conditions["S25R"]
v4 = StubAddress.new(true)
v6 = StubAddress.new(false)
%w[{" ".join(hosts)}].each do |host|
  puts [host, condition.stop?(:connect, nil, host, v4), s25r.white?(host, v4),
        s25r.black?(host, v4), condition.stop?(:connect, nil, host, v6)].inspect
end
s25r.add_whitelist(/\\.example\\.net\\z/)
s25r.add_blacklist(proc {{ |host| host.start_with?("mail.") }})
s25r.only_check_ipv4 = false
%w[dhcp-123.example.net mail.example.com mail.example.org [2001:db8::1]].each do |host|
  puts [host, condition.stop?(:connect, nil, host, v6)].inspect
end
p condition.description
"""
    ruby, ours = run_pair(tmp_path, harness, tmp_path)
    assert ours == ruby
    assert ruby.count("\n") == 55


def test_trust_envelope_from_domains(tmp_path: Path) -> None:
    (tmp_path / "trusted-domains.list").write_text(
        "# trusted\n\n  example.ORG  \n/\\.example\\.jp\\z/\n  # indented comment\nfoo.test\n")
    harness = f"""
load {str(CONDITIONS / "trust.conf")!r}
condition = $conditions["Trust"]
trust.load_envelope_from_domains("trusted-domains.list")
trust.add_envelope_from_domain(lambda {{ |domain| domain.end_with?(".block.test") }})
%w[<user@gmail.com> <user@GMAIL.COM> <a@example.org> <b@sub.example.jp> <c@foo.test>
   <d@x.block.test> <e@example.com> user@gmail.com <> <noat> <a@b@c>].each do |from|
  context = StubContext.new
  stopped = condition.stop?(:envelope_from, context, from)
  puts [from, trust.trusted_envelope_from_domain?(from), stopped, context.macros].inspect
end
trust.clear
p trust.trusted_envelope_from_domain?("<user@gmail.com>")
"""
    ruby, ours = run_pair(tmp_path, harness, tmp_path)
    assert ours == ruby
    assert '["<a@example.org>", true, false, {"trusted_domain"=>"yes"}]' in ours


def test_restrict_accounts_by_list(tmp_path: Path) -> None:
    harness = f"""
load {str(CONDITIONS / "restrict-accounts.conf")!r}
restrict_accounts_by_list("alice@example.com", /@example\\.org\\z/)
restrict_accounts_by_list("bob@example.net", condition_name: "Bob Only", milters: ["milter-c"])
$conditions.each_key {{ |name| p name }}
$milters.each {{ |name, milter| p [name, milter.applicable_conditions] }}
$conditions.each do |name, condition|
  %w[<alice@example.com> <x@example.org> <bob@example.net> carol@example.com].each do |rcpt|
    context = StubContext.new
    stop = condition.stop?(:envelope_recipient, context, rcpt)
    p [name, rcpt, stop, condition.stop?(:data, context), context.macros]
  end
end
"""
    ruby, ours = run_pair(tmp_path, harness, tmp_path)
    assert ours == ruby
    assert '"Restrict Accounts by List: [\\"alice@example.com\\", /@example\\\\.org\\\\z/]"' in ours


@pytest.mark.parametrize("name", sorted(p.name for p in CONDITIONS.glob("*.conf")))
def test_every_stock_condition_file_runs_with_the_stub(tmp_path: Path, name: str) -> None:
    """Each stock file loads unchanged (the DSL stubbed) in both interpreters
    and defines the same conditions."""
    extra = """
require "ipaddr"
class StubNetstat
  def smtp_server_interface_ip_address(a); nil; end
  def smtp_server_interface_port(a); nil; end
end
class StubManager
  def netstat_connection_checker; StubNetstat.new; end
end
def manager; StubManager.new; end
module Milter
  class Logger
    def self.warning(message); puts "warning: #{message}"; end
  end
  module Manager
    class Breaker
      attr_accessor :threshold_n_connections
    end
    class AddressMatcher
      def add_local_address(a); a; end
      def add_remote_address(a); a; end
    end
  end
end
"""
    harness = extra + f"""
load {str(CONDITIONS / name)!r}
p $conditions.keys
$conditions.each_value {{ |c| p c.description }}
"""
    ruby, ours = run_pair(tmp_path, harness, tmp_path)
    assert ours == ruby
