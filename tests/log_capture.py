"""Every log line the app would write in production, whatever the logger: all loggers at DEBUG, through
the filters of the configured console handler (settings.LOGGING) and the production JSON formatter."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from core.log import JsonFormatter


def configured_handler() -> logging.Handler:
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console"]
    return handler


class LogLines(list[str]):
    def text(self) -> str:
        return "\n".join(self)

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self]


@contextmanager
def every_log_line() -> Iterator[LogLines]:
    lines = LogLines()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    for log_filter in configured_handler().filters:
        handler.addFilter(log_filter)
    root = logging.getLogger()
    loggers = [root] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in loggers}
    disabled = {logger: logger.disabled for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    # Loggers that keep their records to themselves (django.server) get the handler too.
    holders = [root] + [logger for logger in loggers if logger is not root and not logger.propagate]
    for holder in holders:
        holder.addHandler(handler)
    try:
        yield lines
    finally:
        for holder in holders:
            holder.removeHandler(handler)
        for logger in loggers:
            logger.setLevel(levels[logger])
            logger.disabled = disabled[logger]
        lines.extend(stream.getvalue().splitlines())
