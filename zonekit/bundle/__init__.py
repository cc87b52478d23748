"""`zonekit bundle` and `zonekit verify`: the parts of a bundle in the notice's order, rendered to
PDF and docx, and the manifest that proves later what was printed (`build`)."""
