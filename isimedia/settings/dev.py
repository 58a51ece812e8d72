"""Local development and the demo that `make run` starts."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# A fixed key so the demo's encrypted files survive a restart; never used outside development.
PRIVACY_ENCRYPTION_KEYS = env.list("PRIVACY_ENCRYPTION_KEYS", default=["ZGV2ZWxvcG1lbnQtb25seS1ub3Qtc2VjcmV0LWtleSE="])
