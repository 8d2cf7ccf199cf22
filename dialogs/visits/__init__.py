"""The child director's visit report: questions, parsing, quick SMS form and digests (pure).

Wiring for the shell (all names exact):
- flows: `dialogs.flows.visit.VisitFlow` ("visit"), `dialogs.flows.due.DueFlow` ("due";
  also handles 更多/more while its list is open; register no "more" flow),
  `dialogs.flows.edit_visit.EditVisitFlow` ("edit_visit"), built by `dialogs.registry` with
  the `Cadence` the shell loaded (`dialogs.visits.cadence`, its `rules` by region and risk:
  `dialogs.visits.clock`); nothing here reads a file.
- Context keys read: `ctx.children` (the director's own children), `ctx.extra["visit_draft"]`
  = {"child_id": int, "answers": dict}, `ctx.extra["last_visit"]` = {"id": int,
  "child_id": int, "saved_at": aware datetime or ISO text, "answers": dict as saved,
  "clock": the child's `VisitClock` without that visit (what a correction computes from)},
  `ctx.extra["vaccine_overdue_child_ids"]` = collection of child ids.
- Effects returned: `SaveVisit`, `SaveVisitDraft`, `DropVisitDraft`, `UpdateVisit`
  (`dialogs.effects`). `SaveVisit.dedup` is unique per visit: insert-or-ignore on it.
- Digests: `dialogs.visits.digests.director_digest`, `supervisor_digest` -> `Reply`.
"""
