"""The Ruby interpreter's two figures (issue 3):

1. lex + parse + evaluate all stock configuration files: the stock
   `milter-manager.conf` (with `applicable-conditions/` and `defaults/`,
   platform debian, no milter installed) loaded through the configuration
   layer, the parsed-file caches emptied before every run; and the same with
   the in-memory parse cache warm (a reload), which leaves evaluation only.
2. One S25R connect-stopper call on a host name, in microseconds: the stock
   s25r.conf loaded with a minimal Ruby stub of `define_applicable_condition`,
   the stopper called from Python as the manager calls it
   (`Interpreter.call_proc(stopper, context, host, address)`).

    .venv/bin/python benchmarks/ruby.py [--runs 20] [--calls 5000]

Times are CPU time of this process (`time.process_time`), minimum over the
runs, so other work on the machine disturbs them less. Speed is measured
here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
S25R = SHARED / "upstream" / "data" / "applicable-conditions" / "s25r.conf"
sys.path.insert(0, str(ROOT))

S25R_STUB = """
$conditions = {}
class StubCondition
  attr_accessor :description
  def initialize(name)
    @stoppers = {}
  end
  def define_connect_stopper(&block)
    @stoppers[:connect] = block
  end
  def stopper(stage)
    @stoppers[stage]
  end
end
def define_applicable_condition(name)
  condition = StubCondition.new(name)
  yield(condition)
  $conditions[name] = condition
end
class StubAddress
  def ipv4?
    true
  end
end
"""

HOSTS = [
    ("mail.example.com", "no list matches: every whitelist and blacklist entry tried"),
    ("p1234-ipad56.tokyo.ocn.ne.jp", "blacklisted by a middle entry"),
    ("unknown", "blacklisted by the first entry"),
    ("mx.google.com", "whitelisted by the first entry"),
]


def stock_load(runs: int) -> tuple[float, float]:
    from milter_manager.config import golden
    from milter_manager.config.dsl import astcache
    from milter_manager.config.loader import ConfigurationLoader

    case = next(c for c in golden.golden_cases(str(SHARED)) if c.name == "stock-debian-no-milters")
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="ruby-bench-cache-")
    cold = []
    warm = []
    with golden.stock_config_dir(str(SHARED)) as directory, \
            tempfile.TemporaryDirectory(prefix="ruby-bench-root-") as empty:
        options = golden.load_options(case, str(SHARED), directory, empty)
        ConfigurationLoader(options).startup()          # imports, the LALR tables
        for _ in range(runs):
            astcache._MEMORY.clear()
            for entry in Path(os.environ["XDG_CACHE_HOME"]).rglob("*"):
                if entry.is_file():
                    entry.unlink()
            start = time.process_time()
            ConfigurationLoader(options).startup()
            cold.append(time.process_time() - start)
        for _ in range(runs):
            start = time.process_time()
            ConfigurationLoader(options).startup()
            warm.append(time.process_time() - start)
    return min(cold) * 1000, min(warm) * 1000


def s25r_calls(calls: int, runs: int) -> list[tuple[str, str, float]]:
    from milter_manager.ruby.interpreter import Interpreter
    from milter_manager.ruby.objects import RString

    interp = Interpreter()
    interp.eval_string(S25R_STUB + f"load {str(S25R)!r}\n", "stub.rb")
    stopper = interp.eval_string('$conditions["S25R"].stopper(:connect)', "get.rb")
    address = interp.eval_string("StubAddress.new", "addr.rb")
    out = []
    for host, what in HOSTS:
        name = RString(host)
        best = float("inf")
        for _ in range(runs):
            start = time.process_time()
            for _ in range(calls):
                interp.call_proc(stopper, None, name, address)
            best = min(best, (time.process_time() - start) / calls)
        out.append((host, what, best * 1e6))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--calls", type=int, default=5000)
    opts = ap.parse_args()
    cold, warm = stock_load(opts.runs)
    print(f"stock configuration, lex+parse+evaluate: {cold:.1f} ms "
          f"(parse cache warm, evaluate only: {warm:.1f} ms)")
    for host, what, micros in s25r_calls(opts.calls, max(3, opts.runs // 4)):
        print(f"S25R stopper call, {host} ({what}): {micros:.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
