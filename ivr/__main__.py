"""``python -m ivr``: the `ivr` command, for a checkout without the console script."""

from ivr.commands.main import main

main()
