"""Fan-out and merge for one session (`Children`): negotiation, the broadcast
stages, abort and quit (manager.md §2–§5, §8, §9, §13). The message stages
(the child chain, §6–§7) are in `chain.py`.

The leader (one MTA session) hands each MTA command to `Children`, which
answers exactly once through `leader.reply(...)`. Every asynchronous event
(a child's reply, a flushed NO_REPLY command, a stopper result) carries the
command generation it belongs to; `cancel()` bumps the generation, so late
answers to a cancelled command are dropped (§2 step 4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from milter_manager.protocol import (
    Negotiate,
    NegotiateReply,
    ProtocolError,
    ReplyCode,
    Status,
    cap,
    combine,
    define_macro,
    filter_macros,
    negotiate_reply,
    requested_symbols,
)
from milter_manager.protocol.flags import (
    HEADER_VALUE_WITH_LEADING_SPACE,
    STAGE_OF_COMMAND,
)

from .chain import MessageStages
from .child import COMMAND_STAGE_NICK, STAGES, ChildMilter, fold
from .context import ChildContext
from .log import DEBUG, ManagerLog, TagCounter
from .loop import EventLoop
from .settings import ManagerSettings

if TYPE_CHECKING:
    from .leader import Leader

_REFUSED = (Status.REJECT, Status.TEMPORARY_FAILURE, Status.DISCARD)


class Children(MessageStages):
    """The children of one session and the merge of their answers."""

    def __init__(self, leader: Leader, settings: ManagerSettings, loop: EventLoop,
                 log: ManagerLog, tags: TagCounter, services: Any) -> None:
        self.leader = leader
        self.settings = settings
        self.loop = loop
        self.log = log
        self.tags = tags
        self.services = services          # the Manager: stoppers, launcher, counters
        self.retry_connect_time = services.retry_connect_time
        self.children: list[ChildMilter] = []
        self.gen = 0
        self.buckets: dict[bytes, Status] = {}
        self.slot4: tuple[int, ReplyCode] | None = None
        self.slot5: tuple[int, ReplyCode] | None = None
        self.expired_by_fallback = False
        self.message = None
        self.shelf: dict[str, Any] = {}
        self.mta_option = None
        self.offer = b""
        self.reply_actions = 0
        self.leadspace = False
        self._negotiate_done: Callable[[NegotiateReply], Any] | None = None
        self._negotiate_pending = 0
        self._stage: bytes | None = None
        self._waiting = 0
        self._dispatching = False
        self._d_cache: dict[bytes, tuple[Any, bytes | None]] = {}
        self._contexts: dict[str, ChildContext] | None = None

    # -- helpers ------------------------------------------------------------
    @property
    def fallback(self) -> Status:
        return self.settings.fallback_status

    def alive(self) -> list[ChildMilter]:
        return [child for child in self.children if not child.quit]

    def contexts(self) -> dict[str, ChildContext]:
        if self._contexts is None:
            self._contexts = {child.name: self.context_of(child) for child in self.children}
        return self._contexts

    def context_of(self, child: ChildMilter) -> ChildContext:
        if child.context is None:
            child.context = ChildContext(child)
        return child.context

    def n_processing_sessions(self) -> int:
        return self.services.n_processing_sessions()

    def can_launch(self, child: ChildMilter) -> bool:
        return self.services.can_launch(child.egg)

    def launch(self, child: ChildMilter) -> None:
        self.services.launch(child.egg)

    def child_ended(self, child: ChildMilter) -> None:
        self.services.milter_ended(child.name, child.failed)

    def waiting_on_children(self) -> bool:
        """manager.md §14: negotiated and a stage or chain head is pending."""
        return self._waiting > 0 or self.chain_pending()

    def _reset_slots(self) -> None:
        self.slot4 = None
        self.slot5 = None

    def _store_code(self, child: ChildMilter, code: ReplyCode) -> None:
        """manager.md §8: one slot per class; the first child in child order wins."""
        # [deviation] M2: upstream keeps the last arrival (non-deterministic).
        if code.code < 500:
            if self.slot4 is None or child.index < self.slot4[0]:
                self.slot4 = (child.index, code)
        elif self.slot5 is None or child.index < self.slot5[0]:
            self.slot5 = (child.index, code)

    def _take_code(self, status: Status) -> ReplyCode | None:
        """The stored code matching the reply's status; slots are then cleared."""
        # [deviation] M2: a code is used for exactly one reply (upstream: sticky).
        slot = None
        if status is Status.TEMPORARY_FAILURE:
            slot = self.slot4
        elif status is Status.REJECT:
            slot = self.slot5
        self._reset_slots()
        return slot[1] if slot is not None else None

    def _verdict(self, child: ChildMilter, status: Status, reply: Any) -> tuple[Status, ReplyCode | None]:
        """The status to fold for a child's answer and the reply code to keep."""
        code = reply if type(reply) is ReplyCode else None
        if code is not None and not code.valid:
            # protocol.md §10.4 [deviation] P11: plain r/t instead of silence.
            self.log.error(f"[{self.leader.tag}] [leader][error][reply-code] "
                           f"{code.invalid_reason}", "milter-client")
            code = None
        if child.evaluation and not child.failed and status in _REFUSED:
            # manager.md §10: folded as accept. [deviation] M19: its `y` is
            # never stored; [deviation] M5: at a message stage the chain goes on.
            return Status.ACCEPT, None
        return status, code

    def macro_frame(self, child: ChildMilter, code: bytes) -> bytes | None:
        """manager.md §4.3: `D` for `code`, filtered for this child."""
        # [deviation] M10: names compare without braces (`filter_macros`) and a
        # stage the child made no request for gets the whole table.
        table = self.leader.macros.table(code)
        extra = child.macros_set
        if not table and not extra:
            return None
        stage = STAGE_OF_COMMAND.get(code)
        requested = None
        reply_option = child.reply_option
        if stage is not None and reply_option is not None and reply_option.macro_requests:
            requested = requested_symbols(reply_option.macro_requests, stage)
        if requested is None and not extra:
            cached = self._d_cache.get(code)
            if cached is not None and cached[0] is table:
                return cached[1]
            frame = define_macro(code, table).encode() if table else None
            self._d_cache[code] = (table, frame)
            return frame
        filtered = filter_macros(table, requested)
        if extra:
            filtered.update(extra)
        return define_macro(code, filtered).encode() if filtered else None

    # -- negotiate (manager.md §5.1, §5.2) ----------------------------------------
    def negotiate(self, option: Negotiate, done: Callable[[NegotiateReply], Any]) -> None:
        self.mta_option = cap(option)
        # protocol.md §6.1: the MTA's option, version capped, bits unchanged;
        # [deviation] M18: a retried child gets this same offer.
        self.offer = Negotiate(self.mta_option.version, option.actions, option.steps).encode()
        index = 0
        for egg in self.settings.eggs:
            if not egg.enabled:
                continue
            if not egg.connection_spec:
                self.log.error(f"[{self.leader.tag}] [egg][error] must set connection spec: "
                               f"{egg.name}")
                continue
            self.children.append(ChildMilter(self, egg, index, self.tags.next()))
            index += 1
        self._contexts = None
        self._negotiate_done = done
        self._negotiate_pending = len(self.children)
        self.gen += 1
        if not self.children:
            self._finish_negotiate()
            return
        self._dispatching = True
        for child in list(self.children):
            child.negotiation_done = False
            child.connect()
        self._dispatching = False
        if self._negotiate_pending == 0:
            self._finish_negotiate()

    def child_connected(self, child: ChildMilter) -> None:
        child.send(b"O", [self.offer], self._negotiate_answer)

    def _negotiate_answer(self, child: ChildMilter, status: Status, reply: Any) -> None:
        if child.negotiation_done:
            return
        try:
            child.option = combine(self.mta_option, reply)
        except ProtocolError as error:
            self.log.error(f"[{child.tag}] {error}: {child.name}", "milter-server")
            child.expire()
            self.child_not_negotiated(child)
            return
        child.reply_option = reply
        child.negotiated = True
        child.negotiation_done = True
        self._negotiate_pending -= 1
        if self._negotiate_pending == 0 and not self._dispatching:
            self._finish_negotiate()

    def child_not_negotiated(self, child: ChildMilter) -> None:
        # [deviation] M14: a child that fails here never blocks the MTA's `O`.
        if child.negotiation_done or self._negotiate_done is None:
            return
        child.negotiation_done = True
        if not child.quit:
            child.expire()
        self._negotiate_pending -= 1
        if self._negotiate_pending == 0 and not self._dispatching:
            self._finish_negotiate()

    def _finish_negotiate(self) -> None:
        done = self._negotiate_done
        if done is None:
            return
        self._negotiate_done = None
        negotiated = [child for child in self.children if child.negotiated and not child.quit]
        reply = negotiate_reply(self.mta_option, [child.reply_option for child in negotiated])
        self.reply_actions = reply.actions
        self.leadspace = bool(reply.steps & HEADER_VALUE_WITH_LEADING_SPACE)
        # §5.2: the strongest fallback of the children that were not negotiated.
        # Applied before the reply is written: writing it may start a command
        # the MTA pipelined behind its `O`, which must already find the
        # session expired (else it waits for a child that was just sent `Q`).
        strongest = Status.CONTINUE
        for child in self.children:
            if not child.negotiated:
                strongest = fold(strongest, child.egg.fallback_status)
        if strongest in _REFUSED:
            # [deviation] M13: the healthy children get Q (upstream leaves them open).
            for child in negotiated:
                child.send_quit()
            self.expired_by_fallback = True
        done(reply)

    # -- broadcast stages (manager.md §5.3) -----------------------------------------
    def broadcast(self, code: bytes, packet: Any, args: tuple) -> None:
        """Run one broadcast stage; the reply goes to `leader.reply` exactly once."""
        self.gen += 1
        self._reset_slots()
        self._stage = code
        fallback = self.fallback
        if code in (b"R", b"T"):
            processing = [c for c in self.children if c.processing and not c.quit]
            if not processing:
                self._no_processing_error()
                return
            if code == b"R":
                targets = processing
            else:
                targets = []
                for child in processing:
                    if child.has_accepted_recipient:
                        targets.append(child)
                    else:
                        # §5.3 step 2: no accepted recipient: A now, out of the message.
                        child.send_abort()
                        child.status = Status.ABORT
                        child.processing = False
                if not targets:
                    self.leader.reply(fallback)
                    return
        else:
            if self.expired_by_fallback:
                self.leader.reply(fallback)
                return
            targets = self.alive()
            if not targets:
                self.log.error(f"[{self.leader.tag}] [children][error][no-alive-milter] "
                               "All milters are no longer alive.")
                self.leader.reply(fallback)
                return
        self.buckets[code] = Status.NOT_CHANGE
        if code == b"M":
            self.start_message(targets)
        frame = (packet.for_child() if code == b"C" else packet).encode()
        self._waiting = 0
        self._dispatching = True
        gen = self.gen
        stage = STAGES.get(code)
        for child in targets:
            child.wait_gen = gen
            self._waiting += 1
            if code == b"R":
                child.n_recipients += 1      # §4.2: counted before stoppers run
            if code != b"M":
                child.last_mail = False
            if stage is not None and child.has_stoppers(stage):
                context = self.context_of(child)
                context.stage = code
                stopped = self.services.stoppers.run(
                    child, stage, context, args,
                    lambda stopped, c=child: self._after_stoppers(gen, c, code, frame, stopped))
                if stopped is not None:
                    self._after_stoppers(gen, child, code, frame, stopped)
            else:
                self._send_broadcast(gen, child, code, frame)
        self._dispatching = False
        if self._waiting == 0:
            self._finish_broadcast()

    def _no_processing_error(self) -> None:
        # [deviation] M11: exactly one reply (upstream writes the fallback twice).
        self.log.error(f"[{self.leader.tag}] [children][error][no-message-processing-milter] "
                       "None of milters are processing message.")
        self.leader.reply(self.fallback)

    def _after_stoppers(self, gen: int, child: ChildMilter, code: bytes, frame: bytes,
                        stopped: bool) -> None:
        if gen != self.gen:
            return
        if child.quit:
            self._settle(gen, child)
            return
        if not stopped:
            self._send_broadcast(gen, child, code, frame)
            return
        # manager.md §12: the command is not sent; the stopper's effect.
        child.end_status = Status.STOP
        child.last_stage = COMMAND_STAGE_NICK[code]     # the stage it was stopped at
        if code in (b"C", b"H"):
            self._fold(code, Status.ACCEPT)
            child.send_abort()
            child.send_quit()
        elif code == b"M":
            self._fold(code, Status.ACCEPT)
            self._fold(code, Status.CONTINUE)
            child.processing = False
            child.last_mail = True
        elif code == b"R":
            self._fold(code, Status.CONTINUE)
        elif code == b"T":
            # [deviation] M7: the reply still waits for the other targets.
            self._fold(code, Status.ACCEPT)
            child.send_abort()
            child.processing = False
        self._settle(gen, child)

    def _send_broadcast(self, gen: int, child: ChildMilter, code: bytes, frame: bytes) -> None:
        if child.no_event(code):
            if code == b"M":
                child.processing = True          # §4.1: skipped because of NOMAIL
                child.last_mail = False
            self._broadcast_answer(gen, child, Status.CONTINUE, None)
            return
        frames: list[bytes] = []
        if code != b"U":
            macros = self.macro_frame(child, code)
            if macros is not None:
                frames.append(macros)
        frames.append(frame)
        if code == b"M":
            child.processing = True
            child.last_mail = True
        child.send(code, frames, lambda c, s, r: self._broadcast_answer(gen, c, s, r),
                   replies=not child.no_reply(code))

    def _fold(self, code: bytes, status: Status) -> None:
        self.buckets[code] = fold(self.buckets.get(code, Status.NOT_CHANGE), status)

    def _broadcast_answer(self, gen: int, child: ChildMilter, status: Status, reply: Any) -> None:
        if gen != self.gen:
            return
        code = self._stage
        folded, reply_code = self._verdict(child, status, reply)
        self._fold(code, folded)
        if reply_code is not None:
            self._store_code(child, reply_code)
        if not child.failed:
            self._apply_broadcast_effect(child, code, status)
        self._settle(gen, child)

    def _apply_broadcast_effect(self, child: ChildMilter, code: bytes, status: Status) -> None:
        """manager.md §5.4 (evaluation children too, by their own verdict)."""
        if status is Status.CONTINUE or code == b"U":
            return        # [deviation] M12: at unknown a verdict only folds
        if code in (b"C", b"H"):
            if status is Status.DISCARD:
                self.log.error(f"[{child.tag}] [children][error][invalid-state] "
                               f"discard on {'connect' if code == b'C' else 'helo'}: {child.name}")
            child.send_quit()
        elif code in (b"M", b"T"):
            child.processing = False
        elif code == b"R":
            if status is Status.ACCEPT:
                child.processing = False     # upstream, envelope-recipient-accept.txt
            elif status in (Status.REJECT, Status.TEMPORARY_FAILURE):
                child.n_recipients -= 1
                child.n_refused += 1

    def _settle(self, gen: int, child: ChildMilter) -> None:
        if child.wait_gen != gen:
            return
        child.wait_gen = None
        self._waiting -= 1
        if self._waiting == 0 and not self._dispatching:
            self._finish_broadcast()

    def _finish_broadcast(self) -> None:
        code = self._stage
        self._stage = None
        status = self.buckets.get(code, Status.NOT_CHANGE)
        if status in (Status.NOT_CHANGE, Status.DEFAULT):
            status = Status.CONTINUE
        reply_code = self._take_code(status)
        # §5.3 step 6: reject/tempfail (except at RCPT) or discard abort the
        # message; [deviation] M12: not at unknown, where a verdict only folds.
        # Done before the reply, which may start a command the MTA pipelined.
        if code != b"U" and (status is Status.DISCARD or (
                status in (Status.REJECT, Status.TEMPORARY_FAILURE) and code != b"R")):
            self.abort_message()
        self.leader.reply(status, reply_code)

    # -- abort, quit (manager.md §13) --------------------------------------------
    def cancel(self) -> None:
        """Drop whatever the current command waits for (§2 step 4, M16)."""
        self.gen += 1
        self._stage = None
        self._waiting = 0
        self.cancel_chain()
        for child in self.children:
            child.wait_gen = None
            child.cancel_expectations()

    def abort_message(self) -> None:
        """manager.md §13.1."""
        for child in self.children:
            if child.quit:
                continue
            if child.processing or child.last_mail:
                if child.processing and not child.finished_message:
                    child.status = Status.ABORT
                child.send_abort()
            child.reset_message_state()
            child.last_mail = False
        self.end_message()
        self._reset_slots()
        if self.log.mask & DEBUG:
            self.log.debug(f"[{self.leader.tag}] [children][abort]")

    def quit(self) -> None:
        """MTA `Q`/`K`/EOF/end of session: `Q` to every live child, close all (§13.3)."""
        self.cancel()
        self.end_message(clear_macros=False)
        for child in self.children:
            child.close()
