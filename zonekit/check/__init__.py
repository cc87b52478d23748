"""`zonekit check`: the runner (`runner.check_packet`) and what it checks — field values
(`validate`), facts, cross-form consistency and eligibility (`rules`), material folders
(`materials`) and indicator progress against targets (`indicators`)."""
