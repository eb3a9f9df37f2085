"""The callback listener of the CLI's and MCP server's batch waits: one ``CallbackReceiver`` per address.

``HEYGEN_LIPSYNC_CALLBACK_LISTEN=HOST:PORT`` (or the CLI's ``batch wait --listen HOST:PORT``)
starts a ``CallbackReceiver`` on that address, once per process, and every batch wait of the
process is woken by what it receives: a batch's ``callback_url`` POST or a registered webhook
endpoint's ``batch.finished`` (point either at ``http://HOST:PORT/heygen-callback``). Before
the wait's first round, the newest page of ``GET /v3/webhooks/events`` is read for the batch
(``CallbackReceiver.catch_up``), so a ``batch.finished`` sent while no listener ran (a
restart) is not lost. A delivery stays a hint: the wait confirms every item with a GET.

The listener is best effort: a failed catch-up only means the wait polls as it would
without a listener; it never fails the wait.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Collection

from heygen_lipsync.errors import APIError, ValidationError
from heygen_lipsync.jobs.callbacks import CallbackReceiver, EventSource

__all__ = ["LISTEN_ENV", "caught_up_receiver", "listening_receiver", "parse_listen_address"]

#: The setting naming the address batch waits listen on for deliveries (``HOST:PORT``, or ``PORT``).
LISTEN_ENV = "HEYGEN_LIPSYNC_CALLBACK_LISTEN"

logger = logging.getLogger("heygen_lipsync")

_lock = threading.Lock()
_receivers: dict[tuple[str, int], CallbackReceiver] = {}


def parse_listen_address(value: str, field: str = LISTEN_ENV) -> tuple[str, int]:
    """``HOST:PORT`` (or a bare ``PORT``, on 127.0.0.1) as a host and a port.

    Raises:
        ValidationError: not an address; ``field`` names where it came from.
    """
    text = value.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValidationError(field, f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8765, or a port alone)")
    return host, int(port_text)


def listening_receiver(address: str | None = None, *, field: str = LISTEN_ENV) -> CallbackReceiver | None:
    """The process's receiver on ``address`` (else ``HEYGEN_LIPSYNC_CALLBACK_LISTEN``), started once; None if neither.

    An address from the setting that cannot be listened on (another process of this machine
    listens there, say the MCP server) is logged and gives None: the wait polls instead. One
    given explicitly is refused.

    Raises:
        ValidationError: a malformed address, or an explicit one that cannot be listened on
            (in use, not this machine's), naming ``field``.
    """
    explicit = address is not None
    if address is None:
        address, field = os.environ.get(LISTEN_ENV) or None, LISTEN_ENV
    if address is None:
        return None
    key = parse_listen_address(address, field)
    with _lock:
        receiver = _receivers.get(key)
        if receiver is None:
            receiver = CallbackReceiver(host=key[0], port=key[1])
            try:
                receiver.start()
            except OSError as exc:
                reason = exc.strerror or str(exc)
                if not explicit:
                    logger.warning("cannot listen on %s=%s (%s): waits poll instead", LISTEN_ENV, address, reason)
                    return None
                raise ValidationError(
                    field, f"cannot listen on {address!r} ({reason}): choose a free port of this machine"
                ) from None
            _receivers[key] = receiver
            logger.info("listening for batch deliveries at %s", receiver.url)
        return receiver


async def caught_up_receiver(
    source: EventSource, ids: Collection[str], address: str | None = None, *, field: str = LISTEN_ENV
) -> CallbackReceiver | None:
    """``listening_receiver(address)``, after delivering the recent ``batch.finished`` events naming ``ids``.

    A failed read of the events (no access, an outage) is logged and ignored: the wait then
    polls as it would without them.

    Raises:
        ValidationError: as ``listening_receiver``.
    """
    receiver = listening_receiver(address, field=field)
    if receiver is None:
        return None
    try:
        await receiver.catch_up(source, ids)
    except APIError as exc:
        logger.info("could not read the recent webhook events (%s); the wait polls", exc)
    return receiver
