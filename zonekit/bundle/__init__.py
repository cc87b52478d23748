"""`zonekit bundle` and `zonekit verify`: the parts of a bundle in the notice's order (`parts`), rendered
to PDF and docx (`build`, the entry the CLI and the web server call), and the manifest that proves later
what was printed (`manifest`)."""
