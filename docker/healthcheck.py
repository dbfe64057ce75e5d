"""Container HEALTHCHECK: healthy when `python -m bot run` beat recently, else when the knowledge base loads.

The bot touches $BOT_HEARTBEAT_FILE while it is connected to Discord. A file older than
$BOT_HEARTBEAT_MAX_AGE seconds (default 90) means the bot is stuck or disconnected: unhealthy. With no
heartbeat file yet (starting up, or a command other than `run`), the check is `python -m bot check`:
the baked or mounted knowledge base must load and validate.
"""

import os
import sys
import time


def main() -> int:
    """Exit 0 when healthy, 1 when not, printing why (docker inspect shows the output)."""
    beat = os.environ.get("BOT_HEARTBEAT_FILE")
    if beat:
        max_age = float(os.environ.get("BOT_HEARTBEAT_MAX_AGE", "90"))
        try:
            age = time.time() - os.stat(beat).st_mtime
        except FileNotFoundError:
            age = None
        if age is not None:
            if age <= max_age:
                return 0
            print(f"unhealthy: heartbeat {beat} is {age:.0f}s old (limit {max_age:.0f}s)")
            return 1
    from bot.cli import main as bot_main

    return 1 if bot_main(["check"]) else 0


if __name__ == "__main__":
    sys.exit(main())
