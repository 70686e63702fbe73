"""Pages for the nominal record. The room grew, so it is a package: one module per area."""
