"""`zonekit check`: the runner (`runner.check_packet`, its `STAGES`) and what it checks — field values
(`validate`), facts, cross-form consistency and eligibility (`rules`, said in either language by
`sentences`), material folders (`materials`) and indicator progress against targets (`indicators`)."""
