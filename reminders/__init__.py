"""Pure reminder schedules: data in `content/schedules` and `content/calendars`, read by the
shell (bot/core_data.py) and passed in.

- `reminders.immunization`: `due_doses`, `due_doses_json`, `vaccines_report`, `DueRules`
- `reminders.schedule`: `Schedule.from_mapping` (versioned NIP editions)
- `reminders.calendars`: regional windows with inheritance (`CalendarBook.resolve(code)`)
- `reminders.workdays`: `Workdays(shipped, imported).day_info` (holidays and 调休 via
  chinesecalendar, imported or shipped arrangements, weekend fallback), `missing_warnings`
- `reminders.stages`: `stage_dates`, `stage_on`, `latest_stage`
- `reminders.quiet_hours`: `next_allowed_send`
- `reminders.digest`: `compose_guardian_digest`, `compose_director_notice`, `dedup_key`
- `reminders.replies`: `parse_guardian_reply`

The visit cadence lives with the visits: `dialogs.visits.cadence`, `dialogs.visits.clock`.
"""
