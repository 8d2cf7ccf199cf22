"""Package data: see README.md / docs/screening.md."""
