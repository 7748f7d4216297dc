"""
Chat notification payloads over a `BatchSummary`: Slack (`{"text": ...}`) and Microsoft Teams
(an Adaptive Card in a `message` envelope).

Step in the flow: after a `plan preview` batch, `--notify URL` posts one of these to each
webhook (`entra_recovery.notify` sends it). The message is short: the batch headline, then one
line per plan that did not come out clean (at most `MAX_LISTED`), then how many were clean.

Slack: the payload of incoming webhooks and of Slack-compatible receivers (Mattermost, Rocket.Chat
and others accept `{"text": ...}`); `&`, `<` and `>` are escaped as Slack asks, so plan text
cannot make links or `<!channel>` mentions. Teams: the Adaptive Card envelope that both Teams
incoming webhooks and the Workflows app's "when a Teams webhook request is received" trigger
accept; Markdown punctuation in plan text is backslash-escaped. Everything goes through
`text.clean` first, as in the reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import Final

from entra_recovery.report.batch import BatchEntry
from entra_recovery.report.batch import BatchSummary
from entra_recovery.report.batch import PlanOutcome
from entra_recovery.report.batch import counts_text
from entra_recovery.report.document import TOOL_NAME
from entra_recovery.report.text import clean

MAX_LISTED: Final = 25
ADAPTIVE_CARD: Final = "application/vnd.microsoft.card.adaptive"
_SLACK_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_TEAMS_ESCAPES: Final = str.maketrans({c: "\\" + c for c in "\\`*_[]()<>#~|!"})


def _slack(text: str) -> str:
    return clean(text).translate(_SLACK_ESCAPES)


def _teams(text: str) -> str:
    return clean(text).translate(_TEAMS_ESCAPES)


def _detail(entry: BatchEntry) -> str:
    """`changes: 2 update, 1 restore` or `error: <message>` (no plan text escaped yet)."""
    if entry.outcome is PlanOutcome.CHANGES:
        return f"{entry.outcome}: {counts_text(entry.counts)}"
    if entry.outcome.failed:
        return f"{entry.outcome}: {entry.error or 'failed'}"
    return str(entry.outcome)


def _listed(summary: BatchSummary) -> tuple[list[BatchEntry], int]:
    """The plans worth a line (not clean), at most MAX_LISTED, and how many more there are."""
    worth = [entry for entry in summary.entries if entry.outcome is not PlanOutcome.CLEAN]
    return worth[:MAX_LISTED], max(0, len(worth) - MAX_LISTED)


def title(summary: BatchSummary) -> str:
    return f"{TOOL_NAME} plan preview: {summary.headline} (exit {int(summary.exit_code)})"


def slack_payload(summary: BatchSummary) -> dict[str, Any]:
    """`{"text": ...}` in Slack's mrkdwn: a bold headline, a bullet per plan not clean."""
    listed, more = _listed(summary)
    lines = [f"*{_slack(title(summary))}*"]
    for entry in listed:
        lines.append(
            f"• {_slack(entry.label)} ({_slack(entry.tenant or entry.file)}): "
            f"{_slack(_detail(entry))}"
        )
    if more:
        lines.append(f"… and {more} more plan(s) not clean")
    return {"text": "\n".join(lines)}


def teams_payload(summary: BatchSummary) -> dict[str, Any]:
    """A `message` with one Adaptive Card (version 1.4): the headline, then a fact per plan."""
    listed, more = _listed(summary)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": _teams(title(summary)),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if listed:
        facts = [
            {"title": _teams(entry.label), "value": _teams(_detail(entry))} for entry in listed
        ]
        body.append({"type": "FactSet", "facts": facts})
    if more:
        body.append(
            {"type": "TextBlock", "text": f"… and {more} more plan(s) not clean", "wrap": True}
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


PAYLOADS: Final[dict[str, Callable[[BatchSummary], dict[str, Any]]]] = {
    "slack": slack_payload,
    "teams": teams_payload,
}
"""Notification payload builders by `--notify-format` name."""
