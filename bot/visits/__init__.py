"""The visits capability: stores directors' visit reports and drafts, feeds the visit
dialogs their context, exposes danger flags to the hotline and sends the weekly digests.

`install(app)` is in `bot.visits.install`; the hotline hook point in `bot.visits.danger`.
"""
