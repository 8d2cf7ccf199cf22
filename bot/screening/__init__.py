"""The learned screen's shell side: the labelled corpus, training, leave-writers-out
evaluation, and the stored, versioned models (see docs/hotline.md, "How the screen learns")."""
