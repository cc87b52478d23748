"""Field types (`types`: the registry a spec's `type` names) and the cell values they read (`cellvalues`)."""
