"""The server's prompts: ``dub_video``, a walk through dubbing one video that a client offers its user.

The spend step is the one a model most easily gets wrong: it must ask the user once, and the
call that spends carries the preview's ``approval_token`` (``spending.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

__all__ = ["dub_video"]


def dub_video(
    video: Annotated[str, Field(description="The video to dub: a local path, an https URL or an asset id.")],
    audio: Annotated[str, Field(description="The new audio: a local path, an https URL or an asset id.")],
    mode: Annotated[Literal["speed", "precision"], Field(description="speed (default) or precision.")] = "speed",
) -> str:
    """Walk through dubbing one video: inputs, cost, create, wait, download."""
    return (
        f"Dub this video with HeyGen Lipsync so the speaker's lips match new audio.\n"
        f"Video: {video}\nAudio: {audio}\nMode: {mode}\n\n"
        "Steps:\n"
        "1. Decide each input's kind: an https URL -> video_url/audio_url; a local file -> video_path/audio_path "
        "(it must be inside the server's allowed directories; it is uploaded for you); a HeyGen asset id -> "
        "video_asset_id/audio_asset_id.\n"
        "2. Call create_lipsync with exactly one video source and one audio source"
        f" and mode={mode!r}. It spends the user's credits, so it is approved once: either the server asks the "
        "user itself (then the call just goes ahead, or fails with spend_declined: stop), or the result is a "
        "confirmation_required error with the estimated cost and an approval_token (in details and in its Next "
        "line). Then tell the user that cost and ask them once. Only if they agree, call create_lipsync again with "
        "the same arguments plus confirm_spend=true and approval_token=<that token>; do not ask again. The call "
        "returns a lipsync_id at once.\n"
        "3. Call wait_for_lipsync with that id. Each call waits under a minute; while still_running is true, tell "
        "the user it is in progress and call it again.\n"
        "4. When it is completed, call download_lipsync and tell the user where the file was saved.\n"
        "If any tool returns an error, follow its 'Next' advice instead of guessing."
    )
