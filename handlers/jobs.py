"""Repeating jobs: queue due reminders (and tell of undelivered ones) every minute, notice knowledge edits."""

from __future__ import annotations

import logging

from telegram.ext import Application

from bot.config import Settings
from bot.problems import Problem
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


def report_knowledge_problems(application: Application, problems: list[Problem]) -> None:  # type: ignore[type-arg]
    """The bot starts on the last good knowledge because of these problems: organisers hear it
    once, as soon as it runs."""
    if problems:
        assert application.job_queue is not None
        application.job_queue.run_once(
            _started_on_last_good,
            when=1,
            data=problems,
            name="knowledge-at-start",
            job_kwargs={"misfire_grace_time": None},  # counted from now, before the bot started: run however late
        )


async def _started_on_last_good(context: Context) -> None:
    problems = context.job.data if context.job else None
    assert isinstance(problems, list)
    await tell_organisers(context, service(context).started_on_last_good(problems))
