from eksguard.cli import main

raise SystemExit(main())
