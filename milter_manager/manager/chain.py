"""Message stages: the child chain, catch-up/replay and the end-of-message
output (manager.md §6, §7). Mixed into `Children`.

Only the head of the chain is sent anything. Every child has cursors over
the message records (headers sent, end-of-header sent, body bytes sent, `E`
sent); feeding the head sends it, in the order the kinds first appeared,
everything recorded that it has not been sent yet, one item at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from milter_manager.protocol import (
    AddHeader,
    ChangeFrom,
    ChangeHeader,
    InsertHeader,
    Quarantine,
    Status,
)
from milter_manager.protocol.commands import EndOfMessage
from milter_manager.protocol.commands import Header as HeaderCommand
from milter_manager.protocol.flags import HEADER_VALUE_WITH_LEADING_SPACE
from milter_manager.protocol.replies import (
    AddHeader as AddHeaderReply,
)
from milter_manager.protocol.replies import (
    AddRecipient,
    DeleteRecipient,
    Progress,
    ReplaceBody,
)

from . import headers as hdr
from .child import _RANK, COMMAND_STAGE_NICK, STAGES
from .log import INFO, STATISTICS
from .message import BODY, END_OF_HEADER, END_OF_MESSAGE, HEADER, Message

if TYPE_CHECKING:
    from .child import ChildMilter

_MAX_FRAME_BODY = 65535
_REFUSED = (Status.REJECT, Status.TEMPORARY_FAILURE, Status.DISCARD)
_N_FRAME = b"\x00\x00\x00\x01N"


def _pass(status: Status) -> Status:
    return Status.CONTINUE if status in (Status.NOT_CHANGE, Status.DEFAULT) else status


class MessageStages:
    """The message-stage half of `Children` (attributes are set by Children)."""

    message: Message | None
    _mta_code: bytes = b""
    _chain_busy: bool = False

    # -- message lifecycle ------------------------------------------------------
    def start_message(self, targets: list[ChildMilter]) -> None:
        """manager.md §5.3 step 3 at envelope-from: fresh per-message state."""
        self.end_message(clear_macros=False)
        for child in targets:
            child.reset_message_state()
        self.message = Message()

    def end_message(self, clear_macros: bool = True) -> None:
        """Drop the records, chain and buckets; with `clear_macros` also the
        message-related macros (§7.4, [deviation] M20)."""
        message = self.message
        if message is not None:
            message.close()
            self.message = None
        self._chain_busy = False
        self.shelf = {}
        if clear_macros:
            self.leader.macros.clear_message()

    def chain_pending(self) -> bool:
        return self._chain_busy

    def cancel_chain(self) -> None:
        self._chain_busy = False

    # -- a message-stage command from the MTA (§6.2, §6.3) --------------------------
    def message_command(self, code: bytes, packet: Any) -> None:
        self.gen += 1
        self._reset_slots()
        self._mta_code = code
        for child in self.children:
            if child.processing and not child.quit:
                break
        else:
            self._no_processing_error()
            return
        message = self.message
        if message is None:
            message = self.message = Message()
        message.live_start = -1
        if code == HEADER:
            message.headers.append((packet.name, packet.value))
        elif code == BODY:
            message.live_start = message.body.length
            message.body.append(packet.chunk)
            message.live_end = message.body.length
        elif code == END_OF_MESSAGE:
            message.eom_chunk = packet.chunk
            message.headers0 = list(message.headers)
        message.add_kind(code)
        if message.chain is None:
            chain = []
            for child in self.children:
                if not child.processing or child.quit:
                    continue
                if child.has_accepted_recipient:
                    chain.append(child)
                else:
                    child.send_abort()
                    child.status = Status.ABORT
                    child.processing = False
            message.chain = chain
            if not chain:
                self.leader.reply(self.fallback)
                return
        chain = message.chain
        if not chain:
            self.leader.reply(self.fallback)
            return
        if code == BODY and chain[0].skip_body:
            # §6.5: a skipping head gets no more body; continue at once.
            chain[0].m_body = message.body.length
            self._fold_message(BODY, Status.CONTINUE)
            self._reply_message(Status.CONTINUE)
            return
        self._feed()

    def _fold_message(self, kind: bytes, status: Status) -> None:
        # fold() inlined: this runs once per message item and child
        buckets = self.message.buckets
        if _RANK[id(status)] > _RANK[id(buckets[kind])]:
            buckets[kind] = status

    def _reply_message(self, status: Status) -> None:
        self._chain_busy = False
        self.leader.reply(status, self._take_code(status))

    # -- feeding the head -------------------------------------------------------------
    def _feed(self) -> None:
        gen = self.gen
        while gen == self.gen:
            message = self.message
            chain = message.chain
            if not chain:
                self._chain_exhausted()
                return
            head = chain[0]
            if head.quit:
                # expired while waiting in the chain (closed, idle timeout)
                self._leave_message(head)
                continue
            item = self._next_item(head)
            if item is None:
                # §6.3 step 4: the head answered the last item.
                self._reply_message(Status.CONTINUE)
                return
            stage = STAGES[item[0]]
            self._chain_busy = True
            if head.has_stoppers(stage):
                context = self.context_of(head)
                context.stage = item[0]
                stopped = self.services.stoppers.run(
                    head, stage, context, self._stopper_args(head, item),
                    lambda stopped, h=head, i=item: self._item_decided(gen, h, i, stopped))
                if stopped is None:
                    return              # the answer comes back on the loop later
                if stopped:
                    self._stop_item(head, item)
                    continue
            answer = self._send_item(gen, head, item)
            if answer is None:
                return
            if not self._on_head_answer(head, item[0], answer, None):
                return

    def _item_decided(self, gen: int, head: ChildMilter, item: tuple, stopped: bool) -> None:
        if gen != self.gen:
            return
        if head.quit:
            self._leave_message(head)
            self._feed()
            return
        if stopped:
            self._stop_item(head, item)
            self._feed()
            return
        answer = self._send_item(gen, head, item)
        if answer is not None and self._on_head_answer(head, item[0], answer, None):
            self._feed()

    def _stop_item(self, head: ChildMilter, item: tuple) -> None:
        """manager.md §12: fold accept, `A`, out of the chain and the message."""
        head.end_status = Status.STOP
        head.last_stage = COMMAND_STAGE_NICK[item[0]]
        self._fold_message(item[0], Status.ACCEPT)
        head.send_abort()
        self._leave_message(head)

    def _next_item(self, head: ChildMilter) -> tuple | None:
        """The next record the head has not been sent (§6.3 step 1)."""
        message = self.message
        for kind in message.kinds:
            if kind == HEADER and head.m_headers < len(message.headers):
                return (HEADER, head.m_headers)
            if kind == END_OF_HEADER and not head.m_eoh:
                return (END_OF_HEADER,)
            if kind == BODY and head.m_body < message.body.length:
                if head.skip_body:
                    head.m_body = message.body.length     # counts as sent
                    continue
                if 0 <= message.live_start <= head.m_body:
                    # live: the MTA chunk as received, split at 65535
                    size = min(_MAX_FRAME_BODY, message.live_end - head.m_body)
                else:
                    # replay: coalesced into chunk_size pieces (§6.3)
                    size = self.settings.chunk_size
                return (BODY, message.body.read(head.m_body, size))
            if kind == END_OF_MESSAGE and not head.m_eom:
                return (END_OF_MESSAGE,)
        return None

    def _strips_leadspace(self, head: ChildMilter) -> bool:
        """§6.6: the child did not negotiate HDR_LEADSPC though the MTA did."""
        return self.leadspace and not (
            head.option is not None and head.option.steps & HEADER_VALUE_WITH_LEADING_SPACE)

    def _header_value(self, head: ChildMilter, value: bytes) -> bytes:
        """§6.6: drop one leading space for a child without HDR_LEADSPC."""
        if value[:1] == b" " and self._strips_leadspace(head):
            return value[1:]
        return value

    def _stopper_args(self, head: ChildMilter, item: tuple) -> tuple:
        kind = item[0]
        if kind == HEADER:
            name, value = self.message.headers[item[1]]
            return (name, self._header_value(head, value))
        if kind == BODY:
            return (bytes(item[1]),)
        return ()

    def _send_item(self, gen: int, head: ChildMilter, item: tuple) -> Status | None:
        """Send one item; returns a synthetic answer when nothing is sent (NO_EVENT)."""
        kind = item[0]
        head.last_mail = False
        message = self.message
        if kind == HEADER:
            head.m_headers += 1
            if head.no_event(HEADER):
                return Status.CONTINUE
            header = message.headers[item[1]]
            # Each record is encoded once per message and leading-space
            # variant (§6.6), not once per child it is replayed to.
            frames = message.header_frames[self._strips_leadspace(head)]
            frame = frames.get(header)
            if frame is None:
                name, value = header
                frame = frames[header] = HeaderCommand(
                    name, self._header_value(head, value)).encode()
        elif kind == END_OF_HEADER:
            head.m_eoh = True
            if head.no_event(END_OF_HEADER):
                return Status.CONTINUE
            frame = _N_FRAME
        elif kind == BODY:
            piece = item[1]
            head.m_body += len(piece)
            if head.no_event(BODY):
                return Status.SKIP          # §6.5: NOBODY answers skip
            frames = []
            macros = self.macro_frame(head, BODY)
            if macros is not None:
                frames.append(macros)
            head.send_body(piece, lambda c, s, r: self._item_answer(gen, c, BODY, s, r),
                           replies=not head.no_reply(BODY), prefix=frames)
            return None
        else:
            head.m_eom = True
            frame = EndOfMessage(message.eom_chunk).encode()
        macros = self.macro_frame(head, kind)
        frames = [frame] if macros is None else [macros, frame]
        head.send(kind, frames, lambda c, s, r: self._item_answer(gen, c, kind, s, r),
                  replies=kind == END_OF_MESSAGE or not head.no_reply(kind))
        return None

    def _item_answer(self, gen: int, head: ChildMilter, kind: bytes, status: Status,
                     reply: Any) -> None:
        if gen != self.gen:
            return
        if self._on_head_answer(head, kind, status, reply):
            self._feed()

    def _leave_message(self, child: ChildMilter) -> None:
        chain = self.message.chain
        if chain and chain[0] is child:
            chain.pop(0)
        elif child in chain:
            chain.remove(child)
        child.processing = False

    def _on_head_answer(self, head: ChildMilter, kind: bytes, status: Status,
                        reply: Any) -> bool:
        """§6.4. True when the chain goes on (feed again), False when the MTA
        command has been answered."""
        folded, code = self._verdict(head, status, reply)
        self._fold_message(kind, folded)
        if code is not None:
            self._store_code(head, code)
        if folded is Status.CONTINUE:
            if kind == END_OF_MESSAGE:
                # finished the message: out of the chain, still "processing".
                head.finished_message = True
                self.message.chain.pop(0)
            return True
        if folded is Status.SKIP:
            head.skip_body = True
            head.m_body = self.message.body.length
            return True
        if folded in _REFUSED:
            self._leave_message(head)
            self._chain_busy = False
            reply_status = _pass(self.message.buckets[kind])
            reply_code = self._take_code(reply_status)
            packets, quarantine = (self._end_of_message_output()
                                   if kind == END_OF_MESSAGE else (None, None))
            # The session's state is settled before the reply goes out: the
            # reply lets the leader start on a command the MTA pipelined.
            self.abort_message()
            self.leader.reply(reply_status, reply_code, packets, quarantine)
            return False
        # anything else (a status a child cannot send): as accept
        self._leave_message(head)
        return True

    def _chain_exhausted(self) -> None:
        """No member left: reply S[current MTA stage] (§6.4)."""
        self._chain_busy = False
        code = self._mta_code
        status = _pass(self.message.buckets[code])
        if code == END_OF_MESSAGE:
            reply_code = self._take_code(status)
            packets, quarantine = self._end_of_message_output()
            self.end_message()
            self.leader.reply(status, reply_code, packets, quarantine)
        else:
            self.leader.reply(status, self._take_code(status))

    # -- end of message (§7) ----------------------------------------------------------
    def child_modification(self, child: ChildMilter, reply: Any) -> None:
        """A modification or `p` while the child answers its `E` (§7.1)."""
        kind = type(reply)
        message = self.message
        if message is None:
            return
        if kind in (AddHeaderReply, InsertHeader, ChangeHeader) and reply.value and \
                self.log.mask & STATISTICS:
            self.log.statistics(
                f"[milter][header][add]({child.tag}): <{_text(reply.name)}>="
                f"<{_text(reply.value)}>: {child.name}")
        if kind is Progress:
            self.leader.forward(reply)
            return
        if child.evaluation:
            if self.log.mask & INFO:
                self.log.info(f"[{child.tag}] [children][evaluation][ignore] {reply.nick}: "
                              f"{child.name}")
            return
        headers = message.headers
        if kind is AddHeaderReply:
            hdr.add_header(headers, reply.name, self._child_value(child, reply.value))
        elif kind is InsertHeader:
            hdr.insert_header(headers, reply.index, reply.name,
                              self._child_value(child, reply.value))
        elif kind is ChangeHeader:
            if reply.value:
                hdr.change_header(headers, reply.name, reply.index,
                                  self._child_value(child, reply.value))
            else:
                hdr.delete_header(headers, reply.name, reply.index)
        elif kind is ChangeFrom:
            message.change_from = (reply.sender, reply.params)
        elif kind in (AddRecipient, DeleteRecipient):
            self.leader.forward(reply)       # at once, no de-duplication (§7.1)
        elif kind is ReplaceBody:
            if child.first_b:
                # [deviation] M17: each child's first `b` starts a new body.
                child.first_b = False
                message.body.clear()
            message.body.append(reply.chunk)
            message.body_replaced = True
        elif kind is Quarantine:
            message.quarantine = reply.reason

    def _child_value(self, child: ChildMilter, value: bytes) -> bytes:
        """§6.6: values from a child without HDR_LEADSPC gain one leading space."""
        if self.leadspace and value[:1] != b" " and not (
                child.option is not None and child.option.steps & HEADER_VALUE_WITH_LEADING_SPACE):
            return b" " + value
        return value

    def _end_of_message_output(self) -> tuple[list[Any], Quarantine | None]:
        """§7.4 steps 2–5, in order (the leader writes them, then the reply)."""
        message = self.message
        packets: list[Any] = []
        if message.body_replaced:
            # [deviation] M8: at least one `b`, even for an empty body.
            body = message.body
            if body.length == 0:
                packets.append(ReplaceBody(b""))
            else:
                size = self.settings.chunk_size
                for offset in range(0, body.length, size):
                    packets.append(ReplaceBody(bytes(body.read(offset, size))))
        headers0 = message.headers0 if message.headers0 is not None else message.headers
        for op in hdr.mta_header_ops(headers0, message.headers):
            kind = op[0]
            if kind == hdr.INSERT:
                packets.append(InsertHeader(op[1], op[2], op[3]))
            elif kind == hdr.ADD:
                packets.append(AddHeader(op[1], op[2]))
            elif kind == hdr.CHANGE:
                packets.append(ChangeHeader(op[2], op[1], op[3]))
            elif op[2] is not None:
                packets.append(ChangeHeader(op[2], op[1], b""))
        if message.change_from is not None:
            packets.append(ChangeFrom(*message.change_from))
        quarantine = Quarantine(message.quarantine) if message.quarantine else None
        return packets, quarantine


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")

