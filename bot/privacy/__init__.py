"""Privacy (PIPL): guardian consent on a child's record, consent gating of reminders, and the
nightly retention sweep. Rules and periods are data (`content/privacy.toml`)."""
