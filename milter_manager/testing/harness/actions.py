"""Running one action on the wire and asserting its keys (scenarios.md §4.3, §5, §6).

`ActionRunner.run(action)` writes the action's frames through the fake MTA,
reads the manager's answer and checks the group's keys in the order of §5.2;
the first difference raises `Failure` naming the group and the key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from milter_manager.protocol.commands import (
    Abort,
    Body,
    Connect,
    Data,
    DefineMacro,
    EndOfHeader,
    EndOfMessage,
    EnvelopeFrom,
    EnvelopeRecipient,
    Header,
    Helo,
    Negotiate,
    Quit,
    Unknown,
)
from milter_manager.protocol.errors import ProtocolError
from milter_manager.protocol.flags import format_actions, format_steps
from milter_manager.protocol.status import Status

from .clients import Clients
from .fake_mta import FakeMTA, WireFailure
from .records import ClientRecords
from .scenario import (
    Action,
    Nullable,
    Pair,
    ScenarioError,
    show,
    sorted_pairs,
    sorted_strings,
)

# Timeouts of §9 (seconds).
REPLY_TIMEOUT = 3.0
COUNT_TIMEOUT = 1.0
ABORT_CLIENT_TIMEOUT = 0.5
QUIT_EOF_TIMEOUT = 1.0
#: How long "exactly one reply" (§6) and "nothing after abort" (§5.2) are watched.
SILENCE = 0.1

#: §5.2 step 7: the commands whose `n_alive` is asserted.
N_ALIVE_COMMANDS = frozenset((
    "negotiate", "connect", "helo", "envelope-from", "envelope-recipient", "header",
    "end-of-header", "body", "end-of-message",
))

#: §6: the `error_code`s that expect the manager's fallback (a children error).
CHILDREN_ERRORS = frozenset(("no-alive-milter", "no-message-processing-milter",
                             "no-demand-command"))


class Failure(Exception):
    """The first difference of a scenario: `[group] what differed`."""

    def __init__(self, group: str, message: str) -> None:
        super().__init__(f"[{group}] {message}")
        self.group = group
        self.message = message


def _nullable(values: list[Nullable]) -> list[Nullable]:
    """An empty string cannot be written in a key file (it reads as NULL): compare as NULL."""
    return [value if value else None for value in values]


@dataclass
class ScenarioState:
    """What carries from one action to the next (§5.1)."""

    last_status: Status | None = None
    last_option: tuple[int, int, int] | None = None


class ActionRunner:
    """Runs the actions of one scenario against one fake MTA and its clients."""

    def __init__(self, mta: FakeMTA, clients: Clients, manager_fallback: Status,
                 log_text: Callable[[], str] | None = None) -> None:
        self.mta = mta
        self.clients = clients
        self.manager_fallback = manager_fallback
        self.log_text = log_text
        self.state = ScenarioState()

    # --- writing (§4.3) ------------------------------------------------------------------

    def frames(self, action: Action) -> bytes:
        command = action.command
        try:
            if command == "negotiate":
                return Negotiate(action.integer("version"), action.actions_flags(),
                                 action.steps_flags()).encode()
            if command == "connect":
                connect = Connect.from_text(action.bytes("host"), action.string("address"))
                return self._macro(action, b"C") + connect.encode()
            if command == "helo":
                return Helo(action.bytes("fqdn")).encode()
            if command == "envelope-from":
                return self._macro(action, b"M") + EnvelopeFrom(action.bytes("from")).encode()
            if command == "envelope-recipient":
                return EnvelopeRecipient(action.bytes("recipient")).encode()
            if command == "data":
                return Data().encode()
            if command == "header":
                name, value = action.bytes("name"), action.bytes("value")
                self.mta.records.headers.append((name, value))  # §5.4: the MTA's own list
                return Header(name, value).encode()
            if command == "end-of-header":
                return EndOfHeader().encode()
            if command == "body":
                return Body(self._chunk(action)).encode()
            if command == "end-of-message":
                has_chunk = action.has("chunk") or action.has("chunk_file")
                return EndOfMessage(self._chunk(action) if has_chunk else b"").encode()
            if command == "quit":
                return Quit().encode()
            if command == "abort":
                return Abort().encode()
            return Unknown(action.bytes("unknown_command")).encode()
        except ProtocolError as error:
            raise ScenarioError(f"{action.where('command')}: cannot encode: {error}") from None

    @staticmethod
    def _macro(action: Action, context: bytes) -> bytes:
        """§5.5: `macro` is a sorted pair list sent as one `D`, keys as given."""
        if not action.has("macro"):
            return b""
        macros = {name: value or b""
                  for name, value in sorted_pairs(action.pair_list("macro")) if name}
        return DefineMacro(context, macros).encode()

    @staticmethod
    def _chunk(action: Action) -> bytes:
        if action.has("chunk_file"):
            # §2: relative to the directory of the file that names it; one
            # trailing newline removed (§4.3).
            path = Path(action.owner.path).parent / action.string("chunk_file")
            try:
                data = path.read_bytes()
            except (OSError, ValueError) as error:
                # a missing file, or a NUL in the name: the scenario is broken,
                # not the harness (found by fuzzing)
                raise ScenarioError(f"{action.where('chunk_file')}: {error}") from None
            return data[:-1] if data.endswith(b"\n") else data
        return action.bytes("chunk")

    # --- running (§5.2) ------------------------------------------------------------------

    def run(self, action: Action) -> None:
        self.clients.clear()
        self.mta.send(self.frames(action))
        try:
            if action.has("error_domain"):
                self.check_error(action)
            else:
                self.check(action)
        except WireFailure as failure:
            raise Failure(action.group, str(failure)) from None
        finally:
            self.clients.clear()

    def response(self, action: Action) -> str:
        return action.string_or("response", None) or action.command

    def read_reply(self, action: Action) -> Status:
        reply = self.mta.read_final(command=action.command, timeout=REPLY_TIMEOUT)
        self.state.last_status = reply.status
        if reply.option is not None:
            self.state.last_option = reply.option
        return reply.status

    def check(self, action: Action) -> None:
        group = action.group
        command = action.command
        response = self.response(action)

        # Step 2: the response.
        if response == "quit":
            self.mta.expect_eof(QUIT_EOF_TIMEOUT)
        elif response == "abort":
            if group == "abort":
                self.check_abort_group(action)
            stray = self.mta.expect_silence(SILENCE)
            if stray is not None:
                raise Failure(group, f"{stray.nick} received after abort")  # type: ignore[attr-defined]
        elif command in ("abort", "quit"):
            pass  # they get no reply, whatever `response` says
        else:
            self.read_reply(action)
        # What the clients printed before answering is recorded before any check.
        self.clients.sync()

        # Steps 3 and 4: what the clients received.
        if action.has("n_received") and response not in ("quit", "none"):
            self.check_count(action, "n_received", response)
        if action.has("n_abort"):
            self.check_count(action, "n_abort", "abort")

        # Step 5: the MTA's last status (stale for abort and quit).
        if action.has("status"):
            expected = action.status()
            if self.state.last_status != expected:
                raise Failure(group, f"status: expected {expected.nick}, got "
                                     f"{show(self.state.last_status)}")

        # Step 6: every `y` text since the scenario started.
        self.check_reply_codes(action)

        # Step 7: processes still running.
        if action.has("n_alive") and command in N_ALIVE_COMMANDS:
            expected_alive = action.integer("n_alive")
            self.clients.wait_until(lambda: self.clients.n_alive() == expected_alive,
                                    COUNT_TIMEOUT)
            alive = self.clients.n_alive()
            if alive != expected_alive:
                raise Failure(group, f"n_alive: expected {expected_alive}, got {alive}")

        # Step 8: per-command data (§5.3) and the MTA's records (§5.4).
        self.clients.sync()
        self.check_data(action, self.clients.snapshot())
        if command == "end-of-message":
            self.check_mta_records(action)

        # Step 9: no header change after a quarantine.
        change = self.mta.records.header_change_after_quarantine
        if change is not None:
            raise Failure(group, f"header change after quarantine: {change}")

    def check_count(self, action: Action, key: str, signal: str) -> None:
        """§5.2 steps 3–4: wait up to 1 s for n > 0, then the count must be exactly n."""
        expected = action.integer(key)
        if expected > 0:
            self.clients.wait_until(lambda: self.clients.count(signal) >= expected,
                                    COUNT_TIMEOUT)
            self.clients.sync()
        actual = self.clients.count(signal)
        if actual != expected:
            raise Failure(action.group, f"{key}: expected {expected} '{signal}' received by "
                                        f"the clients, got {actual}")

    def check_abort_group(self, action: Action) -> None:
        """§5.6: per client, `response[<client>]` (or `response`): none → silent, else seen."""
        wanted: list[tuple[int, str]] = []
        for index, client in enumerate(self.clients):
            wanted.append((index, action.localized("response", client.name)))
        must_be_silent = any(response == "none" for _, response in wanted)

        def seen_all() -> bool:
            return all(response == "none"
                       or self.clients.clients[index].records.counts[response] > 0
                       for index, response in wanted)

        if must_be_silent:
            time.sleep(ABORT_CLIENT_TIMEOUT)
        else:
            self.clients.wait_until(seen_all, ABORT_CLIENT_TIMEOUT)
        self.clients.sync()
        records = self.clients.snapshot()
        for (index, response), got in zip(wanted, records):
            name = self.clients.clients[index].name
            if response == "none":
                if got.n_records:
                    raise Failure(action.group, f"response[{name}]: expected no output, got "
                                                f"{got.n_records} record(s)")
            elif got.counts[response] == 0:
                raise Failure(action.group, f"response[{name}]: expected '{response}' "
                                            f"within {ABORT_CLIENT_TIMEOUT} s, got nothing")

    def check_reply_codes(self, action: Action) -> None:
        expected = [value or b"" for value in action.nullable_list("reply_codes")]
        actual = self.mta.records.reply_codes
        if expected != actual:
            raise Failure(action.group, f"reply_codes: expected {show(expected)}, got "
                                        f"{show(actual)}")

    # --- per-command data (§5.3) -----------------------------------------------------------

    def compare(self, action: Action, key: str, expected: object, actual: object) -> None:
        if expected != actual:
            raise Failure(action.group, f"{key}: expected {show(expected)}, got {show(actual)}")

    def check_data(self, action: Action, records: list[ClientRecords]) -> None:
        command = action.command
        if command == "negotiate":
            expected_options = action.option_list("options")
            actual_options = [record.option for record in records]
            if expected_options != actual_options:
                raise Failure(action.group, "options: expected "
                              f"{_options(expected_options)}, got {_options(actual_options)}")
            if action.has("option"):
                option = action.option_list("option")
                expected_option = option[0] if option else None
                if expected_option != self.state.last_option:
                    raise Failure(action.group, "option: expected "
                                  f"{_options([expected_option])}, got "
                                  f"{_options([self.state.last_option])}")
        elif command == "connect":
            infos = [record.connect or (None, None) for record in records]
            self.compare(action, "infos", action.pair_list("infos"), infos)
            self.check_macros(action, records, "connect")
        elif command == "helo":
            self.compare(action, "fqdns", action.nullable_list("fqdns"),
                         [record.helo for record in records])
        elif command == "envelope-from":
            self.compare(action, "froms", action.nullable_list("froms"),
                         [record.envelope_from for record in records])
            self.check_macros(action, records, "envelope-from")
        elif command == "envelope-recipient":
            self.compare(action, "recipients", action.nullable_list("recipients"),
                         [record.envelope_recipient for record in records])
        elif command == "header":
            actual_headers: list[Pair] = [record.header or (None, None) for record in records]
            self.compare(action, "headers", sorted_pairs(action.pair_list("headers")),
                         sorted_pairs(actual_headers))
        elif command == "body":
            self.compare(action, "chunks", action.nullable_list("chunks"),
                         _nullable([record.body for record in records]))
        elif command == "end-of-message":
            self.compare(action, "chunks", action.nullable_list("chunks"),
                         _nullable([record.body for record in records]))
            self.compare(action, "end_of_message_chunks",
                         action.nullable_list("end_of_message_chunks"),
                         [record.end_of_message for record in records])
        elif command == "unknown":
            self.compare(action, "unknown_commands", action.nullable_list("unknown_commands"),
                         [record.unknown for record in records])

    def check_macros(self, action: Action, records: list[ClientRecords], context: str) -> None:
        """Only when the expected list is non-empty: the clients' `D` of this context."""
        expected = action.pair_list("macros")
        if not expected:
            return
        actual: list[Pair] = []
        for record in records:
            pairs = record.macros.get(context)
            if pairs is not None:
                actual += sorted(pairs)
        self.compare(action, "macros", expected, actual)

    def check_mta_records(self, action: Action) -> None:
        """§5.4, compared at end-of-message."""
        records = self.mta.records
        self.compare(action, "headers", action.header_list("headers"), list(records.headers))
        self.compare(action, "quarantine_reasons",
                     sorted_strings(action.nullable_list("quarantine_reasons")),
                     sorted_strings(_nullable(list(records.quarantine_reasons))))
        self.compare(action, "change_froms", sorted_pairs(action.pair_list("change_froms")),
                     sorted_pairs(records.change_froms))
        self.compare(action, "add_recipients",
                     sorted_pairs(action.pair_list("add_recipients")),
                     sorted_pairs(records.add_recipients))
        self.compare(action, "delete_recipients",
                     sorted_strings(action.nullable_list("delete_recipients")),
                     sorted_strings(_nullable(list(records.delete_recipients))))
        self.compare(action, "replace_bodies", action.nullable_list("replace_bodies"),
                     _nullable(list(records.replace_bodies)))
        expected_progresses = action.integer("n_progresses") if action.has("n_progresses") else 0
        self.compare(action, "n_progresses", expected_progresses, records.n_progresses)

    # --- error groups (§6) -------------------------------------------------------------------

    def check_error(self, action: Action) -> None:
        group = action.group
        error_type = action.string_or("error_type", "")
        error_code = action.string_or("error_code", "")
        if error_code == "no-demand-command":
            raise Failure(group, "error_code no-demand-command is produced by no manager "
                                 "(only the omitted scenario uses it)")
        n_codes = len(self.mta.records.reply_codes)
        status = self.read_reply(action)
        if error_type == "MilterClientContextError" or error_code == "invalid-code":
            # A child's invalid extended code: the plain verdict of its class, no `y`.
            if not action.has("status"):
                raise Failure(group, "status: an invalid-code error group needs a status")
            expected = action.status()
            if len(self.mta.records.reply_codes) != n_codes:
                raise Failure(group, "reply_codes: a y reached the MTA for an invalid "
                                     f"code: {show(self.mta.records.reply_codes[n_codes:])}")
        else:
            expected = action.status() if action.has("status") else self.manager_fallback
        if status != expected:
            raise Failure(group, f"status: expected {expected.nick} ({error_code}), got "
                                 f"{status.nick}")
        stray = self.mta.expect_silence(SILENCE)
        if stray is not None:
            raise Failure(group, f"{error_code}: a second frame ({stray.nick}) followed the "  # type: ignore[attr-defined]
                                 "one reply")
        self.check_error_log(action)

    def check_error_log(self, action: Action) -> None:
        """The manager's log names the error (§6: an additional check of this harness)."""
        if self.log_text is None or not action.has("error_message"):
            return
        message = action.string("error_message")
        if "%s" in message:
            return  # filled in by the format that knows the errno (§11.1)
        deadline = time.monotonic() + COUNT_TIMEOUT
        while message not in self.log_text():
            if time.monotonic() >= deadline:
                raise Failure(action.group, f"error_message: the manager's log does not "
                                            f"contain {message!r}")
            time.sleep(0.02)


def _options(options: list[tuple[int, int, int] | None]) -> str:
    shown = ["NULL" if option is None else
             f"({option[0]}, {format_actions(option[1]) or '-'}, {format_steps(option[2]) or '-'})"
             for option in options]
    return "[" + ", ".join(shown) + "]"
