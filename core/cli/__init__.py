"""The ``rvq-motion`` command-line tool: one module per subcommand, wired together in :mod:`core.cli.main`."""
