"""``python -m groundstation`` runs the command line."""

import sys

from groundstation.cli import main

sys.exit(main())
