from enum import StrEnum


class WebhookEventType(StrEnum):
    AI_CLIPPING_FAIL = "ai_clipping.fail"
    AI_CLIPPING_SUCCESS = "ai_clipping.success"
    AVATAR_VIDEO_CAPTION_FAIL = "avatar_video_caption.fail"
    AVATAR_VIDEO_CAPTION_SUCCESS = "avatar_video_caption.success"
    AVATAR_VIDEO_FAIL = "avatar_video.fail"
    AVATAR_VIDEO_GIF_FAIL = "avatar_video_gif.fail"
    AVATAR_VIDEO_GIF_SUCCESS = "avatar_video_gif.success"
    AVATAR_VIDEO_SUCCESS = "avatar_video.success"
    BATCH_FINISHED = "batch.finished"
    HYPERFRAMES_VIDEO_FAIL = "hyperframes_video.fail"
    HYPERFRAMES_VIDEO_SUCCESS = "hyperframes_video.success"
    INSTANT_AVATAR_FAIL = "instant_avatar.fail"
    INSTANT_AVATAR_SUCCESS = "instant_avatar.success"
    LIVE_AVATAR_FAIL = "live_avatar.fail"
    LIVE_AVATAR_SUCCESS = "live_avatar.success"
    PERSONALIZED_VIDEO = "personalized_video"
    PHOTO_AVATAR_ADD_MOTION_FAIL = "photo_avatar_add_motion.fail"
    PHOTO_AVATAR_ADD_MOTION_SUCCESS = "photo_avatar_add_motion.success"
    PHOTO_AVATAR_GENERATION_FAIL = "photo_avatar_generation.fail"
    PHOTO_AVATAR_GENERATION_SUCCESS = "photo_avatar_generation.success"
    PHOTO_AVATAR_TRAIN_FAIL = "photo_avatar_train.fail"
    PHOTO_AVATAR_TRAIN_SUCCESS = "photo_avatar_train.success"
    PROOFREAD_CREATION_FAIL = "proofread_creation.fail"
    PROOFREAD_CREATION_SUCCESS = "proofread_creation.success"
    VIDEO_AGENT_FAIL = "video_agent.fail"
    VIDEO_AGENT_SUCCESS = "video_agent.success"
    VIDEO_TRANSLATE_FAIL = "video_translate.fail"
    VIDEO_TRANSLATE_PREFLIGHT_DOWNLOAD_FAILED = "video_translate.preflight.download_failed"
    VIDEO_TRANSLATE_PREFLIGHT_VALIDATION_FAILED = "video_translate.preflight.validation_failed"
    VIDEO_TRANSLATE_SUCCESS = "video_translate.success"

    def __str__(self) -> str:
        return str(self.value)
