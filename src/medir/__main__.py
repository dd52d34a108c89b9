import sys

from medir.cli import main

sys.exit(main())
