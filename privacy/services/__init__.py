"""Every write of the privacy app: data-subject requests (``requests``) and the breach register (``breaches``)."""

from .breaches import *  # noqa: F403
from .requests import *  # noqa: F403
