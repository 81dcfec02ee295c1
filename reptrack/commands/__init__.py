"""The `reptrack` commands, one module per command group; `reptrack.cli` builds the parser."""
