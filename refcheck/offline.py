"""Block outbound network connections while claims and snippets run (loopback stays allowed).

``HF_HUB_OFFLINE=1`` only tells one library not to try; this makes any attempt fail loudly, with a
message that says it was the network, so a snippet that would need the internet cannot pass here
and fail for a reader offline (or pass here and hang elsewhere).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator


class NetworkBlocked(OSError):
    """Raised when code under verification tries to reach a non-loopback address."""


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def block_network() -> Iterator[None]:
    """Within the block, connecting a socket to anything but loopback raises NetworkBlocked."""
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def refuse(address) -> None:
        raise NetworkBlocked(f"refcheck: network access is blocked while claims and snippets run (tried to reach {address!r}); everything must work offline")

    def connect(self, address):
        if not _is_local(address):
            refuse(address)
        return original_connect(self, address)

    def connect_ex(self, address):
        if not _is_local(address):
            refuse(address)
        return original_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "localhost") and not _is_local((host,)):
            refuse(host)
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = original_connect, original_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = original_getaddrinfo
