"""
Chat webhook notifications (Slack, Microsoft Teams and compatible receivers): not Graph.

`check_webhook_url` vets a `--notify` URL; `post_webhook` posts one JSON payload with a bounded
timeout and a few retries; `display_url` is the only form of a URL that may be printed.
"""

from __future__ import annotations

from entra_recovery.notify.webhook import Delivery
from entra_recovery.notify.webhook import WebhookPolicy
from entra_recovery.notify.webhook import check_webhook_url
from entra_recovery.notify.webhook import display_url
from entra_recovery.notify.webhook import post_webhook

__all__ = ["Delivery", "WebhookPolicy", "check_webhook_url", "display_url", "post_webhook"]
