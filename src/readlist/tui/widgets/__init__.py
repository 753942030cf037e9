"""The app's widgets: the virtual paper list, the detail pane, the status line and the search box."""
