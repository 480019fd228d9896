"""The `ivr` command, one module per group of commands."""
