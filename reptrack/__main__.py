from reptrack.cli import main

raise SystemExit(main())
