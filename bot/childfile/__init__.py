"""The child's file by message: a director's summary of one of their children (least detail:
code, dates and counts, never names or texts) and work-log notes written by message."""
