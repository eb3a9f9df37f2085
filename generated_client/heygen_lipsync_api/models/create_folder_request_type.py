from enum import StrEnum


class CreateFolderRequestType(StrEnum):
    MIXED = "mixed"
    VIDEO = "video"
    VIDEO_TRANSLATE = "video_translate"

    def __str__(self) -> str:
        return str(self.value)
