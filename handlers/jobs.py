"""Repeating jobs: queue due reminders (and tell of undelivered ones) every minute, notice knowledge edits."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.replies import Reply
from bot.watch import fingerprint
from handlers.chat import Context, service
from handlers.sending import send_reply

log = logging.getLogger(__name__)


async def queue_reminders(context: Context) -> None:
    """Every minute: the reminders due soon, and a notice to organisers of any given up."""
    settings: Settings = context.bot_data["settings"]
    svc = service(context)
    added = await svc.queue_reminders(settings.reminder_time)
    if added:
        log.info("queued %d reminders", added)
    if await svc.queue_failure_notices():
        log.warning("reminders could not be delivered in time; organisers will be told")


async def flush_counts(context: Context) -> None:
    await service(context).flush_counts()


async def weekly_digest(context: Context) -> None:
    svc = service(context)
    await tell_organisers(context, await svc.digest(svc.clock().date()))


async def tell_organisers(context: Context, reply: Reply) -> None:
    svc = service(context)
    for admin in sorted(svc.admin_ids):
        try:
            await send_reply(context.bot, admin, reply)
        except Exception as exc:  # one unreachable organiser must not stop the others hearing
            log.warning("could not reach organiser %s: %r", admin, exc)


async def watch_knowledge(context: Context) -> None:
    """A changed YAML file is loaded beside the running version; organisers hear how it went."""
    settings: Settings = context.bot_data["settings"]
    now = fingerprint(settings.knowledge_dir)
    if now == context.bot_data.get("knowledge_fingerprint"):
        return
    context.bot_data["knowledge_fingerprint"] = now
    svc = service(context)
    reply = await svc.reload(settings.knowledge_dir)
    log.info("knowledge files changed: %s", reply.text.splitlines()[0])
    await tell_organisers(context, reply)
    await queue_reminders(context)
