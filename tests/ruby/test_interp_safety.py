"""Safety for a long-running daemon (`ruby-subset.md` §3.7): the step budget,
the recursion limit, threads (Queue, kill, join, per-thread budget and `$~`)."""

from __future__ import annotations

import threading
import time

import pytest

from milter_manager.ruby.errors import RubyError
from milter_manager.ruby.interpreter import Interpreter
from milter_manager.ruby.parser import parse


def run(interp: Interpreter, source: str, **kw) -> object:
    return interp.load_program(parse(source, "s.rb"), **kw)


# --- step budget --------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "loop { }",
    "while true\nend",
    "def f\n  f2\nend\ndef f2\n  f\nend\nbegin\n  f\nrescue SystemStackError\n  loop { }\nend",
    "i = 0\nuntil false\n  i += 1\nend",
    "[1].cycle { }",
])
def test_runaway_code_raises_the_budget_error(source: str) -> None:
    interp = Interpreter(budget=50_000)
    with pytest.raises(RubyError) as info:
        run(interp, source)
    err = info.value
    assert err.class_name == "StepBudgetExceeded"
    assert err.message == "step budget of 50000 steps exhausted (runaway code stopped)"
    assert interp.is_a(err.exc, interp.RuntimeError)


def test_rescue_cannot_swallow_the_budget_error() -> None:
    interp = Interpreter(budget=20_000)
    source = ("n = 0\nbegin\n  loop { }\nrescue Exception\n  n += 1\n  retry\nend\n")
    with pytest.raises(RubyError) as info:
        run(interp, source)
    assert info.value.class_name == "StepBudgetExceeded"


def test_each_host_call_gets_its_own_budget() -> None:
    interp = Interpreter(budget=20_000)
    counter = run(interp, "proc { |n| i = 0\n n.times { i += 1 }\n i }")
    for _ in range(5):   # 5 × 15000 steps > one budget: fine, each call is fresh
        assert interp.call_proc(counter, 15_000) == 15_000
    with pytest.raises(RubyError):
        interp.call_proc(counter, 30_000)
    assert interp.call_proc(counter, 10) == 10      # usable again afterwards
    # An explicit budget for one call.
    assert interp.call_proc(counter, 30_000, budget=100_000) == 30_000


def test_budget_error_ends_a_thread_body_only() -> None:
    interp = Interpreter(budget=30_000)
    # The thread's body has its own budget: it dies, the main program goes on.
    got = run(interp, "t = Thread.new { loop { } }\nt.join rescue $!.class.name")
    assert got.s == "StepBudgetExceeded"


# --- recursion ------------------------------------------------------------------------

def test_deep_recursion_is_a_system_stack_error_and_recoverable() -> None:
    interp = Interpreter()
    got = run(interp, "def f(n)\n  f(n + 1)\nend\n"
                      "begin\n  f(0)\nrescue SystemStackError => e\n  e.message\nend")
    assert got.s == "stack level too deep"
    # Not a StandardError: a bare rescue does not catch it.
    with pytest.raises(RubyError) as info:
        run(interp, "def g\n  g\nend\nbegin\n  g\nrescue\n  :no\nend")
    assert info.value.class_name == "SystemStackError"
    # Deep but legal recursion still works.
    assert run(interp, "def h(n)\n  n == 0 ? 0 : h(n - 1) + 1\nend\nh(5000)") == 5000


def test_recursion_through_blocks_and_natives() -> None:
    interp = Interpreter()
    assert run(interp, "def f(n)\n  return 0 if n == 0\n  [1].map { |x| f(n - 1) + x }.first\nend\n"
                       "f(2000)") == 2000


# --- threads --------------------------------------------------------------------------

def test_thread_value_join_and_queue() -> None:
    interp = Interpreter()
    got = run(interp, """
q = Thread::Queue.new
workers = (1..4).map { |i| Thread.new(i) { |n| q.push(n * n); n } }
values = workers.map(&:value)
results = []
4.times { results << q.pop }
[values, results.sort, q.empty?, q.size, workers.all? { |t| !t.alive? }]
""")
    assert interp.to_python(got) == [[1, 2, 3, 4], [1, 4, 9, 16], True, 0, True]


def test_queue_pop_non_blocking_raises_thread_error() -> None:
    interp = Interpreter()
    got = run(interp, "begin\n  Queue.new.pop(true)\nrescue ThreadError => e\n  e.message\nend")
    assert got.s == "queue empty"


def test_kill_stops_a_thread_and_join_returns_at_once() -> None:
    interp = Interpreter()
    started = time.monotonic()
    got = run(interp, """
log = Thread::Queue.new
t = Thread.new do
  begin
    loop { log.push(:tick) if log.size < 3 }
  ensure
    log.push(:ensure_ran)
  end
end
sleep 0.05
t.kill
joined = t.join
# join returns at once; the killed thread unwinds (running ensure) as soon
# as it gets the interpreter again.
items = []
50.times do
  items << log.pop until log.empty?
  break if items.include?(:ensure_ran)
  sleep 0.02
end
[joined.equal?(t), t.alive?, items.include?(:ensure_ran)]
""")
    assert interp.to_python(got) == [True, False, True]
    assert time.monotonic() - started < 10


def test_kill_does_not_wait_for_a_blocked_native_call() -> None:
    interp = Interpreter()
    started = time.monotonic()
    got = run(interp, """
q = Queue.new
t = Thread.new { q.pop }        # blocks in a native call
sleep 0.05
t.kill
t.join
t.alive?
""")
    assert got is False
    assert time.monotonic() - started < 5


def test_exception_in_thread_is_logged_and_reraised_by_join() -> None:
    interp = Interpreter()
    logged: list[tuple[str, str]] = []
    interp.log = lambda level, message: logged.append((level, message))
    got = run(interp, """
t = Thread.new { raise ArgumentError, "in thread" }
begin
  t.join
rescue ArgumentError => e
  e.message
end
""")
    assert got.s == "in thread"
    assert logged == [("error", "[thread][error] ArgumentError: in thread")]


def test_last_match_is_per_thread() -> None:
    interp = Interpreter()
    got = run(interp, """
"main-text" =~ /(main)/
Thread.new { "thread-text" =~ /(thread)/ }.join
$1
""")
    assert got.s == "main"


def test_stoppers_may_run_concurrently_from_host_threads() -> None:
    interp = Interpreter()
    matcher = run(interp, "list = [/\\Aa/, /b\\z/, 'c']\n"
                          "proc { |host| list.any? { |m| m === host } }")
    errors: list[BaseException] = []
    results: list[bool] = []

    def worker(host: str, expect: bool) -> None:
        try:
            for _ in range(200):
                got = interp.call_proc(matcher, host)
                results.append(got is expect)
        except BaseException as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)
    threads = [threading.Thread(target=worker, args=(h, e))
               for h, e in [("abc", True), ("xyz", False), ("c", True), ("qb", True)]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 800 and all(results)


def test_mutex_synchronize() -> None:
    interp = Interpreter()
    got = run(interp, """
m = Mutex.new
count = 0
threads = 4.times.map { Thread.new { 100.times { m.synchronize { count += 1 } } } }
threads.each(&:join)
[count, m.locked?]
""")
    assert interp.to_python(got) == [400, False]


def test_a_long_call_makes_room_for_other_host_threads() -> None:
    interp = Interpreter()
    slow = run(interp, "proc { i = 0\n while i < 3_000_000\n  i += 1\n end\n :slow }")
    quick = run(interp, "proc { :quick }")
    order: list[str] = []
    started = threading.Event()

    def long_call() -> None:
        started.set()
        interp.call_proc(slow)
        order.append("slow")
    t = threading.Thread(target=long_call)
    t.start()
    started.wait()
    time.sleep(0.05)              # the long call holds the interpreter now
    interp.call_proc(quick)       # waits for a checkpoint, not for the end
    order.append("quick")
    t.join()
    assert order == ["quick", "slow"]
