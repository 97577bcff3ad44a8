"""Allow ``python -m advisor`` as well as the ``advisor`` console script."""

from advisor.cli.main import main

raise SystemExit(main())
