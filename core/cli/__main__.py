"""``python -m core.cli`` runs ``rvq-motion`` (used by ``torchrun -m core.cli train ...``)."""

import sys

from core.cli.main import main

sys.exit(main())
