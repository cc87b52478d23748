"""Programme specs: loading and merging them (`programme`), and the JSON Schema of each form (`form_schema`)."""
