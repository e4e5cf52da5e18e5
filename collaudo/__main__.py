import sys

from collaudo.cli import main

sys.exit(main())
