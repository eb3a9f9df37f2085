"""Which output URLs a download may fetch, and what a saved file may be called.

An answer's ``video_url`` and ``caption_url`` are strings from the server, and so is its
``id``: trusted as they come, a broken or hostile server (or a proxy in between) could make
the client fetch a loopback admin port or a ``file:`` URL, or write ``../escaped.mp4``.

- HeyGen's outputs are presigned ``https`` URLs on its file storage. ``http`` is accepted
  only from the local sandbox, for its own origin (it serves its outputs itself); any other
  loopback, private or link-local address (an admin port beside the API) is refused, and
  ``file:``, relative URLs and URLs carrying a user name or password are never fetched. The API key is never
  sent to an output host (the request is marked ``EXT_NO_AUTH``: see ``_http``).
- A saved file is named from the id the caller asked for, checked here to be one plain
  file name (``safe_stem``), never from a string the server sent.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from heygen_lipsync.config import is_loopback_host
from heygen_lipsync.errors import APIError, ValidationError

__all__ = ["MAX_STEM_LENGTH", "check_output_url", "safe_stem"]

#: Longest file name stem (before ``.mp4``) a download makes; HeyGen's ids are far shorter.
MAX_STEM_LENGTH = 200


def _internal_address(host: str) -> bool:
    """True for an IP literal no public file storage has: loopback, private, link-local, unspecified."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return is_loopback_host(host)  # "localhost" and "*.localhost"
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    return (scheme, host.lower().strip("[]"), port or (443 if scheme == "https" else 80))


def check_output_url(url: str, *, field: str, lipsync_id: str, base_url: str) -> str:
    """``url`` when a download may fetch it from an API at ``base_url``.

    Raises:
        APIError: ``unexpected_response`` naming ``field``: not an absolute http(s) URL,
            credentials in it, or an internal address (loopback, private, link-local) other than
            the local sandbox's own origin, or plain http anywhere else.
    """
    api = urlsplit(base_url)
    sandbox = is_loopback_host(api.hostname)

    def refuse(why: str) -> APIError:
        return APIError(
            f"unexpected response: lipsync {lipsync_id}'s {field} {why}; it was not fetched. HeyGen's outputs "
            f"are https links to its file storage: check HEYGEN_BASE_URL and any proxy in between",
            code="unexpected_response",
        )

    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port  # a malformed port raises here
        has_credentials = parts.username is not None or parts.password is not None
        api_port = api.port
    except ValueError:
        raise refuse("is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise refuse(f"is not an https URL (scheme {scheme or 'none'!r})")
    if has_credentials:
        raise refuse("carries a user name or password")
    # The sandbox serves its outputs itself: on loopback, the API's own origin and nothing else.
    own_origin = sandbox and _origin(scheme, host, port) == _origin(api.scheme, api.hostname or "", api_port)
    if _internal_address(host) and not own_origin:
        raise refuse(f"points at an internal address ({parts.netloc})")
    if scheme == "http" and not own_origin:
        raise refuse("uses plain http (only the local sandbox's own links may)")
    return url


def safe_stem(lipsync_id: str, *, field: str = "lipsync_id") -> str:
    """``lipsync_id`` when it can name a file in a folder: one plain name, nothing else.

    Raises:
        ValidationError: empty, ``.``-led (``..``, hidden), too long, or holding a path
            separator, a control character or any character outside letters, digits and ``_-.``.
    """
    stem = lipsync_id.strip() if isinstance(lipsync_id, str) else ""
    allowed = all(c.isascii() and (c.isalnum() or c in "_-.") for c in stem)
    if not stem or stem.startswith(".") or len(stem) > MAX_STEM_LENGTH or not allowed:
        raise ValidationError(
            field,
            f"{lipsync_id!r} cannot name a file: an id used as a file name has only letters, digits and _-. "
            f"(at most {MAX_STEM_LENGTH}), and does not start with '.'; pass a file path to save to instead",
        )
    return stem
